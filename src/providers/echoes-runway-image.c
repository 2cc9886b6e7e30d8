/* echoes-runway-image.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "echoes-runway-provider"

#include "config.h"

#include <glib/gstdio.h>

#include "echoes-runway-provider-private.h"

#include "echoes-image.h"
#include "echoes-types.h"

/* EchoesRunwayProvider, step 1 of a generation (see the top of echoes-runway-provider.c):
 * the photo against the provider's limits on a worker thread, then on to the account
 * server or, with the user's own key, to Runway. */

/* ---- image limits ---- */

/**
 * echoes_runway_provider_prepare_image:
 * @path: a photo
 * @content_type: (out): what to send it as
 * @extension: (out): the object's extension ("jpg", "png", "webp")
 * @converted: (out): %TRUE if the returned path is a new temporary JPEG (the caller
 *   removes it)
 * @error: return location for an error (%ECHOES_PROVIDER_ERROR_IMAGE)
 *
 * Checks @path against the provider's limits and re-encodes it as a JPEG (at most
 * %ECHOES_RUNWAY_CONVERTED_SIDE on the longest side, EXIF rotation applied, cropped to an
 * aspect between 1:2 and 2:1) when it is outside them. Blocking: call it on a worker thread.
 *
 * Returns: (transfer full): the path to upload
 */
char *
echoes_runway_provider_prepare_image (const char  *path,
                                      char       **content_type,
                                      char       **extension,
                                      gboolean    *converted,
                                      GError     **error)
{
  GdkPixbufFormat *format;
  g_autofree char *name = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GdkPixbuf) cropped = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *tmp = NULL;
  GStatBuf st;
  int raw_w = 0, raw_h = 0, w = 0, h = 0;
  gboolean ok_format, ok;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  *converted = FALSE;
  format = gdk_pixbuf_get_file_info (path, &raw_w, &raw_h);
  if (format == NULL || g_stat (path, &st) != 0 || !echoes_image_get_size (path, &w, &h))
    {
      g_set_error (error, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_IMAGE,
                   "Cannot read the photo %s", path);
      return NULL;
    }

  name = gdk_pixbuf_format_get_name (format);
  ok_format = g_str_equal (name, "jpeg") || g_str_equal (name, "png") || g_str_equal (name, "webp");
  ok = ok_format
       && st.st_size <= ECHOES_RUNWAY_MAX_IMAGE_BYTES
       && MAX (w, h) <= ECHOES_RUNWAY_MAX_IMAGE_SIDE
       && w <= 2 * h && h <= 2 * w
       && w == raw_w && h == raw_h;  /* a rotation in EXIF: the provider may ignore it */
  if (ok)
    {
      *content_type = g_strconcat ("image/", name, NULL);
      *extension = g_strdup (g_str_equal (name, "jpeg") ? "jpg" : name);
      return g_strdup (path);
    }

  if (!(pixbuf = echoes_image_load_at_size (path, ECHOES_RUNWAY_CONVERTED_SIDE, &local_error)))
    {
      g_set_error (error, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_IMAGE,
                   "Cannot convert the photo: %s", local_error->message);
      return NULL;
    }

  w = gdk_pixbuf_get_width (pixbuf);
  h = gdk_pixbuf_get_height (pixbuf);
  if (w > 2 * h)
    cropped = gdk_pixbuf_new_subpixbuf (pixbuf, (w - 2 * h) / 2, 0, 2 * h, h);
  else if (h > 2 * w)
    cropped = gdk_pixbuf_new_subpixbuf (pixbuf, 0, (h - 2 * w) / 2, w, 2 * w);
  else
    cropped = g_object_ref (pixbuf);

  if ((fd = g_file_open_tmp ("echoes-runway-XXXXXX.jpg", &tmp, &local_error)) < 0)
    {
      g_set_error (error, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_FAILED,
                   "Cannot convert the photo: %s", local_error->message);
      return NULL;
    }
  close (fd);

  if (!gdk_pixbuf_save (cropped, tmp, "jpeg", &local_error, "quality", "90", NULL))
    {
      g_unlink (tmp);
      g_set_error (error, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_IMAGE,
                   "Cannot convert the photo: %s", local_error->message);
      return NULL;
    }

  *converted = TRUE;
  *content_type = g_strdup ("image/jpeg");
  *extension = g_strdup ("jpg");
  return g_steal_pointer (&tmp);
}

/* ---- 1. the photo ---- */

void
_echoes_runway_image_prepare_thread (GTask        *task,
                                     gpointer      source_object,
                                     gpointer      task_data,
                                     GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  char *path;

  _echoes_runway_job_state_read (job);
  if (g_strcmp0 (job->state_kind, "direct") == 0 && job->state_task != NULL)
    {
      /* A task on the user's own key, started before the restart: poll it again. */
      if (!job->use_key)
        g_task_return_new_error (task, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_FAILED,
                                 "The clip was being made with your own Runway key, which is not set any more");
      else
        g_task_return_pointer (task, NULL, NULL);
      return;
    }
  if (g_strcmp0 (job->state_kind, "server") == 0)
    job->use_key = FALSE;  /* started through the account: follow it there */

  path = echoes_runway_provider_prepare_image (job->image_path, &job->content_type,
                                               &job->extension, &job->converted, &error);
  if (path != NULL && job->use_key)
    {
      /* Runway takes a data URI of at most 5 MB: a smaller JPEG when it is larger. */
      g_autofree char *data = NULL;
      g_autofree char *b64 = NULL;
      gsize len = 0;

      if (!g_file_get_contents (path, &data, &len, &error))
        {
          g_free (path);
          g_task_return_error (task, error);
          return;
        }
      if (len * 4 / 3 + 64 > 5 * 1000 * 1000)
        {
          g_autoptr(GdkPixbuf) pixbuf = echoes_image_load_at_size (path, 2048, &error);
          g_autofree gchar *jpeg = NULL;
          gsize jpeg_len = 0;

          if (pixbuf == NULL
              || !gdk_pixbuf_save_to_buffer (pixbuf, &jpeg, &jpeg_len, "jpeg", &error, "quality", "85", NULL))
            {
              g_free (path);
              g_task_return_new_error (task, ECHOES_PROVIDER_ERROR, ECHOES_PROVIDER_ERROR_IMAGE,
                                       "Cannot convert the photo: %s", error->message);
              g_error_free (error);
              return;
            }
          g_free (data);
          data = g_steal_pointer (&jpeg);
          len = jpeg_len;
          g_free (job->content_type);
          job->content_type = g_strdup ("image/jpeg");
        }
      b64 = g_base64_encode ((const guchar *) data, len);
      job->data_uri = g_strconcat ("data:", job->content_type, ";base64,", b64, NULL);
    }
  if (path == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, path, g_free);
}

void
_echoes_runway_image_prepared_cb (GObject      *object,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(JsonNode) project = NULL;
  GError *error = NULL;
  char *path;

  path = g_task_propagate_pointer (G_TASK (result), &error);
  job->upload_path = path;  /* freed (and removed if converted) with the job */
  job->in_flight = FALSE;
  if (g_cancellable_is_cancelled (job->cancellable))
    {
      g_clear_error (&error);
      _echoes_runway_job_cancelled (job);
      return;
    }
  if (path == NULL && error == NULL)
    {
      /* Resumed: the Runway task of the state file (own key). */
      g_debug ("Clip %s: polling its Runway task again", job->clip_id);
      job->runway_task = g_strdup (job->state_task);
      job->started = TRUE;
      _echoes_runway_job_report_progress (job, 0.05);
      _echoes_runway_job_poll_timeout_cb (job);
      return;
    }
  if (path == NULL)
    {
      _echoes_runway_job_return (job, error);
      return;
    }

  if (job->use_key)
    {
      _echoes_runway_direct_start (job);
      return;
    }

  job->image_object = g_strdup_printf ("%s/%s/%s.%s", echoes_auth_get_user_id (job->self->auth),
                                       job->project_id, job->clip_id, job->extension);
  project = _echoes_runway_object_node_for ("id", job->project_id, NULL);
  job->in_flight = TRUE;
  echoes_rest_client_insert_async (job->self->rest, "projects", project, job->cancellable,
                                   _echoes_runway_server_project_inserted_cb, job);
}
