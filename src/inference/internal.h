/* Internal hooks of the inference layer, for tests (fault injection). */
#ifndef GP_INFERENCE_INTERNAL_H
#define GP_INFERENCE_INTERNAL_H

/* While `on`, run threads wait before their first step (before the start event), so a
 * test can cancel a run whose thread has not begun. Clearing it releases them. */
void gp__runs_hold(int on);

#endif
