// Node's `os` module (SPEC §3.2) over libuv's queries (src/js/mod_os.c): the machine
// (arch, platform, type, release, cpus, memory, uptime, load), the user (homedir,
// userInfo), tmpdir, hostname, EOL, endianness, availableParallelism and the signal
// numbers of os.constants.signals. Not provided: networkInterfaces, getPriority and
// setPriority, os.constants.errno/priority.
(function (host, lib, g) {
  "use strict";
  const N = host.os;

  // As Node: TMPDIR, TMP, TEMP (as process.env has them now), else /tmp; without a
  // trailing slash. When the permission model hides process.env, libuv reads the
  // process's own environment the same way (Node's tmpdir is not restricted either).
  function tmpdir() {
    let dir;
    try {
      const env = g.process.env;
      dir = env.TMPDIR || env.TMP || env.TEMP || "/tmp";
    } catch (_) {
      dir = N.tmpdir();
    }
    if (dir.length > 1 && dir.endsWith("/")) dir = dir.slice(0, -1);
    return dir;
  }

  function endianness() {
    return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? "LE" : "BE";
  }

  function userInfo(options) {
    const u = N.userInfo();
    if (options && options.encoding === "buffer" && g.Buffer) {
      for (const k of ["username", "homedir", "shell"])
        if (typeof u[k] === "string") u[k] = g.Buffer.from(u[k]);
    }
    return u;
  }

  const signals = Object.freeze({
    SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGIOT: 6,
    SIGBUS: 7, SIGFPE: 8, SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13,
    SIGALRM: 14, SIGTERM: 15, SIGCHLD: 17, SIGSTKFLT: 16, SIGCONT: 18, SIGSTOP: 19,
    SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22, SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25,
    SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28, SIGIO: 29, SIGPOLL: 29, SIGPWR: 30,
    SIGSYS: 31,
  });

  const os = {
    EOL: "\n",
    devNull: "/dev/null",
    constants: Object.freeze({ signals }),
    arch: () => N.arch,
    platform: () => "linux",
    type: () => N.uname()[0],
    release: () => N.uname()[1],
    version: () => N.uname()[2],
    machine: () => N.uname()[3],
    homedir: () => N.homedir(),
    tmpdir,
    hostname: () => N.hostname(),
    cpus: () => N.cpus(),
    totalmem: () => N.memory()[0],
    freemem: () => N.memory()[1],
    uptime: () => N.uptime(),
    loadavg: () => N.loadavg(),
    userInfo,
    endianness,
    availableParallelism: () => N.availableParallelism(),
  };
  return os;
})
