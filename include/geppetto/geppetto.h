/* geppetto: the whole public C API. */
#ifndef GEPPETTO_H
#define GEPPETTO_H

#define GEPPETTO_VERSION "0.1.0"

#include "error.h"
#include "log.h"
#include "cancel.h"
#include "turn.h"
#include "event.h"
#include "engine.h"
#include "providers.h"
#include "embeddings.h"
#include "middleware.h"
#include "tool.h"
#include "session.h"
#include "store.h"
#include "mcp.h"

#endif
