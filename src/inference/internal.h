/* Internal hooks of the inference layer: fault injection for tests, a run started
 * without its launch (the JS runtime launches from its owner loop), and the
 * structured-output step of the tool loop (output.c). */
#ifndef GP_INFERENCE_INTERNAL_H
#define GP_INFERENCE_INTERNAL_H

/* While `on`, run threads wait before their first step (before the start event), so a
 * test can cancel a run whose thread has not begun. Clearing it releases them. */
void gp__runs_hold(int on);

#include <jansson.h>

#include "geppetto/cancel.h"
#include "geppetto/event.h"
#include "geppetto/session.h"
#include "geppetto/turn.h"

/* gp_session_start without the launch: the run is the session's active run (its
 * timeout counting) but its thread has not begun until gp__run_launch(*out), which
 * must follow exactly once. A cancel meanwhile makes it end with interrupt at once. */
int gp__session_start_held(gp_session_t *s, gp_turn_t *seed, const gp_run_opts_t *opts,
                           gp_run_t **out, gp_error_t **err);
/* Launches a held run's thread; once (later calls do nothing), so a session freed while
 * its run is held can launch it, and the run end, before its planned launch. */
void gp__run_launch(gp_run_t *r);
/* Before gp__run_launch: `fn(ud, token)` (the run's cancel token) runs on the run
 * thread once the tool loop is over and before the outcome is decided, so what it waits
 * for (a host delivering the events published so far to its listeners) comes first,
 * and a cancel meanwhile still wins. */
void gp__run_set_before_end(gp_run_t *r, void (*fn)(void *ud, gp_cancel_t *token), void *ud);

/* gp__output_settle asks for one more model step. */
#define GP__OUTPUT_REPAIR 1

/* Settles the structured output of the step whose blocks begin at `step_start`: its
 * answer text is parsed as JSON and validated against output.schema. Valid: the value
 * goes to the turn's data "output" and 0 is returned. Invalid while *repairs is 0: a
 * user block with the validation errors is appended, *repairs counts it, a warn log
 * event says so, and GP__OUTPUT_REPAIR is returned. Invalid again: OUTPUT_INVALID with
 * *err naming the path and the reason. Run thread. */
/* 0 when `output` is {schema, name?, strict?} with a schema gp_schema_check accepts
 * and a name of the providers' pattern; else INVALID_ARGUMENT naming what is wrong. */
int gp__output_option_check(const json_t *output, gp_error_t **err);

int gp__output_settle(const json_t *output, gp_turn_t *turn, size_t step_start, int *repairs,
                      gp_emitter_t *em, gp_error_t **err);

#endif
