// `geppetto chat` (SPEC §2): a conversation with a profile's model on a terminal or a
// pipe. Each line continues the conversation; the answer streams as it comes. Tools come
// from `--tools FILE.js` (a module exporting a registry) and `--mcp 'COMMAND ARGS'`
// servers; `--session ID` with a store (`--store sqlite:PATH | postgres:URL | memory`)
// persists and resumes it. Commands: /reset, /save FILE, /help, /exit. Ctrl-C during an
// answer cancels it (the partial text stays, marked interrupted); Ctrl-C at the prompt
// or the end of input exits. The command (src/cli/main.c) calls the function this file
// returns with its options; scripts may too, as require("geppetto/chat").
(function (host, lib, g) {
  "use strict";
  const help = "commands: /reset (start over), /save FILE (the conversation as JSON), /exit";

  // 'cmd "a b" c' -> ["cmd", "a b", "c"] (quotes and backslashes as a shell reads them)
  function splitCommand(line) {
    const out = [];
    let cur = null, quote = null;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quote) {
        if (c === quote) quote = null;
        else if (c === "\\" && quote === '"' && i + 1 < line.length) cur += line[++i];
        else cur += c;
      } else if (c === "'" || c === '"') { quote = c; cur = cur || ""; }
      else if (c === "\\" && i + 1 < line.length) { cur = (cur || "") + line[++i]; }
      else if (/\s/.test(c)) { if (cur !== null) out.push(cur); cur = null; }
      else cur = (cur || "") + c;
    }
    if (cur !== null) out.push(cur);
    return out;
  }

  const storeOf = (gp, spec) => (spec ? gp.stores.fromSpec(spec) : undefined);

  async function toolsOf(gp, opts) {
    let registry;
    if (opts.tools) {
      const path = lib("node/path");
      const m = g.require(path.resolve(opts.tools));
      registry = m && typeof m.list === "function" ? m
        : m && m.default && typeof m.default.list === "function" ? m.default
        : m && m.registry && typeof m.registry.list === "function" ? m.registry : null;
      if (!registry) {
        const e = new Error(`--tools ${opts.tools}: the module must export a registry (gp.tools.createRegistry())`);
        e.code = "INVALID_ARGUMENT";
        throw e;
      }
    }
    const clients = [];
    for (const cmd of opts.mcp || []) {
      const [command, ...args] = splitCommand(cmd);
      if (!command) continue;
      if (!gp.mcp) throw Object.assign(new Error("--mcp: this build has no MCP client"), { code: "INVALID_ARGUMENT" });
      const client = await gp.mcp.connect({ command, args });
      clients.push(client);
      registry = registry || gp.tools.createRegistry();
      registry.useMCP(client);
    }
    return { registry, clients };
  }

  return async function chat(opts) {
    opts = opts || {};
    const gp = g.require("geppetto");
    host.native.checkOptionKeys("chat", opts); // a typo is logged at warn, then ignored
    const proc = g.process;
    const out = proc.stdout, err = proc.stderr;
    const tty = !!(proc.stdin.isTTY && out.isTTY);
    const engine = gp.engines.fromProfile(opts.profile || undefined);
    // the profile's chat keys (system, tools, mcp, store); the command's options win
    const prof = host.native.profileChat(opts.profile || undefined);
    opts = Object.assign({}, opts, {
      system: opts.system !== undefined ? opts.system : prof.system,
      tools: opts.tools !== undefined ? opts.tools : prof.tools,
      store: opts.store !== undefined ? opts.store : prof.store,
      mcp: (opts.mcp || []).concat(prof.mcp === undefined ? [] : [].concat(prof.mcp)),
    });
    const { registry, clients } = await toolsOf(gp, opts);
    const store = storeOf(gp, opts.store);
    const middlewares = opts.system ? [gp.middlewares.native("systemPrompt", { prompt: opts.system })] : [];
    const newSession = (id) => gp.createSession({ engine, middlewares, tools: registry, store, id });
    let session = newSession(opts.session || undefined);
    if (session.ready) await session.ready;
    if (tty) {
      const n = session.turnCount();
      err.write(`geppetto chat${opts.session ? " (session " + session.id + (n ? ", resumed" : "") + ")" : ""}; ${help}\n`);
    }

    const readline = lib("node/readline");
    const rl = readline.createInterface({ input: proc.stdin, output: tty ? out : undefined, terminal: tty });
    let active = null, quitting = false;
    const quit = (code) => {
      quitting = true;
      if (code !== undefined) proc.exitCode = code;
      rl.close();
    };
    proc.on("SIGINT", () => {
      if (active) active.cancel();
      else { if (tty) out.write("\n"); quit(130); }
    });
    const prompt = () => { if (tty && !quitting) out.write("> "); };

    async function answer(line) {
      const h = session.start(line);
      active = h;
      let streamed = "";
      h.on("partial", (e) => { streamed += e.delta; out.write(e.delta); });
      h.on("tool-call", (e) => {
        if (streamed && !streamed.endsWith("\n")) { out.write("\n"); streamed += "\n"; }
        if (tty) err.write(`[tool ${e.toolCall.name}]\n`);
      });
      try {
        await h.promise;
        out.write(streamed.endsWith("\n") ? "" : "\n");
      } catch (e) {
        if (e && e.code === "CANCELED") {
          // the partial answer stays in the conversation, marked interrupted
          const t = e.partialTurn;
          if (t && t.blocks && t.blocks.length) {
            t.metadata = Object.assign({}, t.metadata, { interrupted: true });
            session.append(t);
          }
          out.write((streamed && !streamed.endsWith("\n") ? "\n" : "") + "[interrupted]\n");
        } else {
          out.write(streamed && !streamed.endsWith("\n") ? "\n" : "");
          err.write(`error: ${e && e.code ? e.code + ": " : ""}${e && e.message ? e.message : e}\n`);
          if (e && e.code === "SESSION_BUSY")
            err.write(`another geppetto is answering in session ${session.id}; send the line again once it has finished\n`);
        }
      } finally {
        active = null;
      }
    }

    async function command(line) {
      const [cmd, ...rest] = splitCommand(line);
      switch (cmd) {
        case "/exit": case "/quit": quit(); return;
        case "/help": err.write(help + "\n"); return;
        case "/reset":
          session = newSession();
          if (session.ready) await session.ready;
          err.write("[conversation reset]\n");
          return;
        case "/save": {
          if (!rest[0]) { err.write("usage: /save FILE\n"); return; }
          lib("node/fs").writeFileSync(rest[0], JSON.stringify({ session: session.id, turns: session.turns() }, null, 2) + "\n");
          err.write(`[saved ${session.turnCount()} turns to ${rest[0]}]\n`);
          return;
        }
        default: err.write(`unknown command ${cmd}; ${help}\n`);
      }
    }

    prompt();
    try {
      for await (const raw of rl) {
        const line = raw.trim();
        if (line.startsWith("/")) await command(line);
        else if (line) await answer(line);
        if (quitting) break;
        prompt();
      }
    } finally {
      if (tty && !quitting) out.write("\n");
      for (const c of clients) await c.close().catch(() => {});
      if (store && typeof store.close === "function") await Promise.resolve(store.close()).catch(() => {});
    }
  };
})
