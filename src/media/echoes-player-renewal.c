/* echoes-player-renewal.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-player-pipeline"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "echoes-player-pipeline-private.h"
#include "echoes-uri-renewer.h"

/* EchoesPlayerPipeline's streamed clips: a refused URL (expired) detected, new URLs asked
 * of the EchoesUriRenewer and the film rebuilt at the same position; URLs kept out of
 * messages. */

/* Renewals in a row at about the same position before giving up. */
#define MAX_RENEWALS 3

gboolean
_echoes_player_pipeline_has_remote_sources (EchoesPlayerPipeline *self)
{
  for (guint i = 0; self->sources != NULL && self->sources[i] != NULL; i++)
    if (echoes_uri_is_remote (self->sources[i]))
      return TRUE;
  return FALSE;
}

/* Replaces every streamed clip's URI in @text by its file name. */
char *
_echoes_player_pipeline_redact (EchoesPlayerPipeline *self,
                                const char           *text)
{
  g_autoptr(GString) string = g_string_new (text ? text : "");

  for (guint i = 0; self->sources != NULL && self->sources[i] != NULL; i++)
    if (echoes_uri_is_remote (self->sources[i]))
      {
        g_autofree char *name = echoes_uri_display_name (self->sources[i]);

        g_string_replace (string, self->sources[i], name, 0);
      }

  /* Whatever is left of a query (a token) goes too. */
  for (char *q = strchr (string->str, '?'); q != NULL; q = strchr (q + 1, '?'))
    if (strstr (q, "token=") == q + 1)
      {
        gsize end = strcspn (q, " \t\n)\"'");
        g_string_erase (string, q - string->str, end);
        q = string->str;
      }

  return g_string_free (g_steal_pointer (&string), FALSE);
}

/* An HTTP source refused by the server: 400 (a signed URL past its expiry, as Supabase
 * Storage answers), 401 or 403. souphttpsrc posts the status in the error's details. */
gboolean
_echoes_player_pipeline_is_refused (GstMessage   *message,
                                    const GError *error)
{
  const GstStructure *details = NULL;
  guint status = 0;

  if (error->domain != GST_RESOURCE_ERROR)
    return FALSE;

  gst_message_parse_error_details (message, &details);
  if (details != NULL && gst_structure_get_uint (details, "http-status-code", &status))
    return status == 400 || status == 401 || status == 403;

  return error->code == GST_RESOURCE_ERROR_NOT_AUTHORIZED;
}

/* The clip whose URI the message's source element reads, or -1. */
int
_echoes_player_pipeline_clip_of_source (EchoesPlayerPipeline *self,
                                        GstObject            *source)
{
  g_autofree char *uri = NULL;

  if (source == NULL || !GST_IS_URI_HANDLER (source) ||
      !(uri = gst_uri_handler_get_uri (GST_URI_HANDLER (source))))
    return -1;

  for (guint i = 0; self->sources != NULL && self->sources[i] != NULL; i++)
    if (g_strcmp0 (self->sources[i], uri) == 0)
      return (int) i;

  return -1;
}

static void renew_next (EchoesPlayerPipeline *self);

static void
renewed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(EchoesPlayerPipeline) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  guint clip;

  uri = echoes_uri_renewer_renew_finish (ECHOES_URI_RENEWER (object), result, &error);
  if (self->to_renew == NULL || self->load_task == NULL)
    return;  /* unloaded meanwhile */

  clip = g_array_index (self->to_renew, guint, 0);
  g_array_remove_index (self->to_renew, 0);

  if (uri == NULL || !echoes_uri_is_remote (uri))
    {
      g_autofree char *name = echoes_uri_display_name (self->sources[clip]);

      g_debug ("No new URL for clip %u: %s", clip, error ? error->message : "not a URL");
      g_clear_pointer (&self->to_renew, g_array_unref);
      _echoes_player_pipeline_finish_load (self,
                                           g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                                                        _("“%s” cannot be streamed any more"),
                                                        name));
      return;
    }

  g_free (self->sources[clip]);
  self->sources[clip] = g_steal_pointer (&uri);
  renew_next (self);
}

static void
renew_next (EchoesPlayerPipeline *self)
{
  if (self->to_renew->len > 0)
    {
      echoes_uri_renewer_renew_async (self->renewer, g_array_index (self->to_renew, guint, 0),
                                      self->renew_cancellable, renewed_cb, g_object_ref (self));
      return;
    }

  g_clear_pointer (&self->to_renew, g_array_unref);
  if (!self->loaded && !self->recovering)
    /* The caller's load: from its first clip again. */
    _echoes_player_pipeline_start_load (self, self->start_clip, GST_CLOCK_TIME_NONE);
  else
    _echoes_player_pipeline_start_load (self, 0, self->resume_position);
}

/* The server refused streamed clip @clip (-1: any streamed clip) at @position: asks the
 * renewer for new URIs, then builds the film again from @position, for the pending load
 * or, once loaded, for an internal one (the caller sees a stall, not an unload).
 * Returns FALSE when nothing can be renewed: the failure stands. */
gboolean
_echoes_player_pipeline_renew (EchoesPlayerPipeline *self,
                               int                   clip,
                               GstClockTime          position)
{
  g_autoptr(GArray) clips = NULL;

  if (self->renewer == NULL || self->sources == NULL || self->to_renew != NULL)
    return FALSE;

  if (!GST_CLOCK_TIME_IS_VALID (position))
    position = 0;

  /* Give up when the new URLs are refused again at the same place. */
  if (self->renewals > 0 &&
      (position > self->renew_position ? position - self->renew_position
                                       : self->renew_position - position) < GST_SECOND)
    {
      if (self->renewals >= MAX_RENEWALS)
        return FALSE;
      self->renewals++;
    }
  else
    self->renewals = 1;
  self->renew_position = position;

  clips = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; self->sources[i] != NULL; i++)
    if (echoes_uri_is_remote (self->sources[i]) && (clip < 0 || (guint) clip == i))
      g_array_append_val (clips, i);
  if (clips->len == 0)
    return FALSE;

  g_debug ("A streamed clip was refused at %" GST_TIME_FORMAT ": renewing %u URL(s)",
           GST_TIME_ARGS (position), clips->len);

  if (self->load_task == NULL)
    {
      /* Playing or paused: carry on as it was once rebuilt. */
      self->recovering = TRUE;
      self->resume_playing = self->playing;
      self->load_task = g_task_new (self, NULL, _echoes_player_pipeline_recovered_cb, NULL);
      g_task_set_source_tag (self->load_task, _echoes_player_pipeline_renew);
    }
  self->resume_position = position;
  self->pending_seek = GST_CLOCK_TIME_NONE;

  _echoes_player_pipeline_teardown (self);

  if (self->renew_cancellable == NULL)
    self->renew_cancellable = g_cancellable_new ();
  self->to_renew = g_steal_pointer (&clips);
  renew_next (self);

  return TRUE;
}
