/* The echo engine (SPEC §4.2): an offline engine that answers with a fixed reply or
 * with the text of the last user block, streamed word by word as partial events. It is
 * what examples and tests use to exercise runs, events and cancellation without a
 * provider; an optional delay between words makes a stream slow enough to cancel. */
#include <geppetto/engine.h>

#include <ctype.h>
#include <stdlib.h>

#include "core/core.h"

typedef struct {
  char *reply;               /* heap string, or NULL: echo the last user block */
  int word_delay_ms;         /* pause between words, ms; <= 0: none */
} echo_t;

/* Length of the segment starting at `s`: leading whitespace, one word, and, when no
 * word follows, the trailing whitespace too, so that segments concatenate to the text.
 * *has_word is 0 when the text from `s` holds only whitespace. */
static size_t gp__segment_len(const char *s, int *has_word) {
  size_t i = 0;
  while (s[i] && isspace((unsigned char)s[i])) i++;
  *has_word = s[i] != '\0';
  while (s[i] && !isspace((unsigned char)s[i])) i++;
  size_t j = i;
  while (s[j] && isspace((unsigned char)s[j])) j++;
  return s[j] == '\0' ? j : i;
}

static int64_t gp__count_words(const char *s) {
  int64_t n = 0;
  int has_word;
  while (s && *s) {
    s += gp__segment_len(s, &has_word);
    n += has_word;
  }
  return n;
}

/* Words in every text-kind block of the turn: the echo engine's notion of input tokens. */
static int64_t gp__count_input_words(const gp_turn_t *turn) {
  int64_t n = 0;
  for (size_t i = 0; i < turn->nblocks; i++) {
    gp_block_kind_t k = turn->blocks[i]->kind;
    if (k == GP_BLOCK_USER || k == GP_BLOCK_SYSTEM || k == GP_BLOCK_LLM_TEXT ||
        k == GP_BLOCK_REASONING) {
      n += gp__count_words(gp_block_text(turn->blocks[i]));
    }
  }
  return n;
}

/* Waits between words. Returns the token's reason once it has fired, else 0. */
static int gp__pause_between_words(const echo_t *echo, gp_cancel_t *cancel) {
  if (echo->word_delay_ms > 0) {
    if (cancel) return gp_cancel_wait(cancel, echo->word_delay_ms);
    gp__sleep_ms(echo->word_delay_ms);
    return 0;
  }
  return gp_cancel_reason(cancel);
}

/* Run thread. Appends one llm_text block holding what was streamed (all of it on
 * success, the words sent before the token fired otherwise). */
static int gp__echo_infer(void *impl, gp_infer_ctx_t *ctx, gp_turn_t *turn, gp_error_t **err) {
  echo_t *echo = impl;
  gp_cancel_t *cancel = ctx ? ctx->run.cancel : NULL;
  gp_emitter_t *emitter = ctx ? ctx->emitter : NULL;
  const char *text = echo->reply;
  if (!text) {
    gp_block_t *last_user = gp_turn_last_of(turn, GP_BLOCK_USER);
    text = last_user ? gp_block_text(last_user) : NULL;
  }
  if (!text) text = "";
  int64_t input_words = gp__count_input_words(turn);

  gp_text_t *completion = gp_text_new(); /* shared with the partial events, not copied */
  int64_t words = 0;
  int reason = gp_cancel_reason(cancel);
  const char *p = text;
  while (reason == 0 && *p) {
    int has_word;
    size_t n = gp__segment_len(p, &has_word);
    if (has_word) {
      if (words > 0) reason = gp__pause_between_words(echo, cancel);
      if (reason != 0) break;
      gp_text_append(completion, p, n);
      gp_emit_partial(emitter, GP_EVENT_PARTIAL, p, n, completion);
      words++;
    } else {
      gp_text_append(completion, p, n);  /* whitespace-only text: no word to stream */
    }
    p += n;
  }

  if (gp_text_len(completion) > 0 || reason == 0) {
    gp_turn_append(turn, gp_block_new_assistant(gp_text_data(completion, NULL)));
  }
  gp_text_free(completion);
  gp_turn_set_meta(turn, GP_META_USAGE,
                   json_pack("{s:I, s:I}", "inputTokens", (json_int_t)input_words,
                             "outputTokens", (json_int_t)words));
  if (reason != 0) {
    return gp_error_set(err, reason, "echo: stopped after %lld words: %s", (long long)words,
                        gp_strerror(reason));
  }
  gp_turn_set_meta(turn, GP_META_STOP_REASON, json_string("stop"));
  return 0;
}

static void gp__echo_destroy(void *impl) {
  echo_t *echo = impl;
  free(echo->reply);
  free(echo);
}

static const gp_engine_vtable_t echo_vtable = {
    .provider = "echo",
    .infer = gp__echo_infer,
    .destroy = gp__echo_destroy,
};

/* Any thread. `reply` is copied (NULL: echo the last user block). Never NULL. Its turns
 * carry provider and model "echo", as a provider's carry its name and model. */
gp_engine_t *gp_engine_echo(const char *reply, int word_delay_ms) {
  echo_t *echo = gp__xcalloc(1, sizeof *echo);
  echo->reply = gp__xstrdup(reply);
  echo->word_delay_ms = word_delay_ms;
  return gp_engine_new(&echo_vtable, echo, "echo");
}
