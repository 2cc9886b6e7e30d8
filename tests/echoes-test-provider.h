/* echoes-test-provider.h
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "echoes-video-provider.h"

G_BEGIN_DECLS

/* A scriptable provider for tests: each clip reports 0.5 then 0.4 (a step back the queue
 * must not pass on) after one 10 ms tick and finishes after the next, writing a small
 * file that is not a video; with @block it runs until cancelled; with @hold_until it
 * runs until that many clips have run at once; with @fail the photos named
 * *@fail_suffix fail (with @fail_domain/@fail_code, else ECHOES_PROVIDER_ERROR_FAILED)
 * and TEST_PROVIDER_MESSAGE, which the app must never show. */

#define TEST_TYPE_PROVIDER (test_provider_get_type())
G_DECLARE_FINAL_TYPE (TestProvider, test_provider, TEST, PROVIDER, GObject)

#define TEST_PROVIDER_MESSAGE "HTTP 402 from the service: quota exhausted"

struct _TestProvider
{
  GObject     parent_instance;
  const char *name;         /* its name; "test" unless set */
  gboolean    fail;         /* photos named *@fail_suffix fail */
  const char *fail_suffix;  /* "fail.jpg" unless set; %NULL: every photo */
  GQuark      fail_domain;  /* with this error, or ECHOES_PROVIDER_ERROR_FAILED if 0 */
  int         fail_code;
  gboolean    block;        /* never finish until cancelled */
  guint       hold_until;   /* no clip finishes before this many ran at once */
  const char *video;        /* copied as each clip's video; else a file that is none */
  guint       running;
  guint       max_running;
  guint       started;
  double      last_duration; /* the last request's duration */
};

G_END_DECLS
