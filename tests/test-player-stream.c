/* test-player-stream.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-player-stream"

#include "config.h"

#include <string.h>

#include "echoes-player-pipeline.h"
#include "echoes-test-media.h"
#include "echoes-test-util.h"

/* The player streaming a clip from a signed URL that expires: a loopback HTTP server
 * (a GThreadedSocketService speaking just enough HTTP/1.1, so that it can cut a response
 * short, as a dropped connection does) serves a 3 s MP4 for two tokens. The first token
 * serves bytes up to a cut only: the response stops there and is held open until the test
 * "expires" the token, which closes it; souphttpsrc then asks again from the cut with a
 * Range and gets a 400 (what Supabase Storage answers for an expired signed URL). The
 * second token (the renewed URL) serves everything. */

#define FRAMES        90
#define FIRST_TOKEN   "SECRET-first"
#define RENEWED_TOKEN "SECRET-renewed"
#define DEAD_TOKEN    "SECRET-dead"

static char *media_dir;
static GBytes *clip_bytes;

/* ---- the server ---- */

typedef struct
{
  GMutex             lock;
  GCond              cond;
  GSocketService    *service;
  guint16            port;
  gsize              cut;
  gboolean           expired;    /* the first token is refused */
  guint              active;     /* connections being answered */
  guint              refused;
  guint              served;
} Server;

static gboolean
write_all (GOutputStream *out,
           const void    *data,
           gsize          size)
{
  return g_output_stream_write_all (out, data, size, NULL, NULL, NULL);
}

static void answer (Server *server, GSocketConnection *connection);

static gboolean
server_run_cb (GThreadedSocketService *service,
               GSocketConnection      *connection,
               GObject                *source,
               gpointer                user_data)
{
  Server *server = user_data;

  g_mutex_lock (&server->lock);
  server->active++;
  g_mutex_unlock (&server->lock);

  answer (server, connection);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);

  g_mutex_lock (&server->lock);
  server->active--;
  g_cond_broadcast (&server->cond);
  g_mutex_unlock (&server->lock);

  return TRUE;
}

static void
answer (Server            *server,
        GSocketConnection *connection)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr(GDataInputStream) data = g_data_input_stream_new (in);
  g_autofree char *request = NULL;
  g_autofree char *header = NULL;
  const char *bytes;
  gsize size, start = 0, end, stop, last = G_MAXSIZE;
  gboolean ranged = FALSE;
  gboolean first, renewed;
  char *line;

  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (data), FALSE);
  g_data_input_stream_set_newline_type (data, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  if (!(request = g_data_input_stream_read_line (data, NULL, NULL, NULL)))
    return;
  while ((line = g_data_input_stream_read_line (data, NULL, NULL, NULL)) && *line != '\0')
    {
      if (g_ascii_strncasecmp (line, "Range: bytes=", 13) == 0)
        {
          char *dash;

          start = (gsize) g_ascii_strtoull (line + 13, &dash, 10);
          ranged = TRUE;
          if (*dash == '-' && g_ascii_isdigit (dash[1]))
            last = (gsize) g_ascii_strtoull (dash + 1, NULL, 10);
        }
      g_free (line);
    }
  g_free (line);

  bytes = g_bytes_get_data (clip_bytes, &size);
  end = last < size ? last + 1 : size;
  first = strstr (request, "token=" FIRST_TOKEN " ") != NULL;
  renewed = strstr (request, "token=" RENEWED_TOKEN " ") != NULL;

  g_mutex_lock (&server->lock);
  if ((!first && !renewed) || (first && (server->expired || start >= server->cut)) ||
      start >= size)
    {
      const char *body = "{\"statusCode\":\"400\",\"error\":\"InvalidJWT\",\"message\":\"jwt expired\"}";

      server->refused++;
      g_mutex_unlock (&server->lock);
      header = g_strdup_printf ("HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
                                "Content-Length: %zu\r\nConnection: close\r\n\r\n", strlen (body));
      write_all (out, header, strlen (header));
      write_all (out, body, strlen (body));
      return;
    }
  server->served++;
  g_mutex_unlock (&server->lock);

  if (ranged)
    header = g_strdup_printf ("HTTP/1.1 206 Partial Content\r\nContent-Type: video/mp4\r\n"
                              "Accept-Ranges: bytes\r\nContent-Range: bytes %zu-%zu/%zu\r\n"
                              "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                              start, end - 1, size, end - start);
  else
    header = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\n"
                              "Accept-Ranges: bytes\r\nContent-Length: %zu\r\n"
                              "Connection: close\r\n\r\n", size);

  /* The first token's answer stops at the cut, held open until it expires. */
  stop = first ? MIN (end, server->cut) : end;
  if (!write_all (out, header, strlen (header)) ||
      !write_all (out, bytes + start, stop - start))
    return;

  if (stop < end)
    {
      g_mutex_lock (&server->lock);
      while (!server->expired)
        g_cond_wait (&server->cond, &server->lock);
      g_mutex_unlock (&server->lock);
    }

  return;
}

static Server *
server_new (void)
{
  Server *server = g_new0 (Server, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  g_mutex_init (&server->lock);
  g_cond_init (&server->cond);
  server->cut = g_bytes_get_size (clip_bytes) * 3 / 4;
  server->service = g_threaded_socket_service_new (8);
  g_socket_listener_add_address (G_SOCKET_LISTENER (server->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                 &effective, &error);
  g_assert_no_error (error);
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (server->service, "run", G_CALLBACK (server_run_cb), server);
  g_socket_service_start (server->service);

  return server;
}

static void
server_expire (Server *server)
{
  g_mutex_lock (&server->lock);
  server->expired = TRUE;
  g_cond_broadcast (&server->cond);
  g_mutex_unlock (&server->lock);
}

static void
server_free (Server *server)
{
  server_expire (server);
  g_socket_service_stop (server->service);
  g_socket_listener_close (G_SOCKET_LISTENER (server->service));
  /* Wait for the answers under way (the player closed its connections when unloaded). */
  g_mutex_lock (&server->lock);
  while (server->active > 0)
    g_cond_wait (&server->cond, &server->lock);
  g_mutex_unlock (&server->lock);
  g_object_unref (server->service);
  g_mutex_clear (&server->lock);
  g_cond_clear (&server->cond);
  g_free (server);
}

static char *
server_uri (Server     *server,
            const char *token)
{
  return g_strdup_printf ("http://127.0.0.1:%u/storage/v1/object/sign/clips/u/p/clip.mp4?token=%s",
                          server->port, token);
}

/* ---- the renewer: a new URL with the renewed token ---- */

#define TEST_TYPE_RENEWER (test_renewer_get_type ())
G_DECLARE_FINAL_TYPE (TestRenewer, test_renewer, TEST, RENEWER, GObject)

struct _TestRenewer
{
  GObject  parent_instance;
  Server  *server;
  guint    asked;
  guint    last_clip;
};

static void test_renewer_iface_init (EchoesUriRenewerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestRenewer, test_renewer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (ECHOES_TYPE_URI_RENEWER,
                                                      test_renewer_iface_init))

static void
test_renewer_renew_async (EchoesUriRenewer    *renewer,
                          guint                clip,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  TestRenewer *self = TEST_RENEWER (renewer);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  self->asked++;
  self->last_clip = clip;
  g_task_return_pointer (task, server_uri (self->server, RENEWED_TOKEN), g_free);
}

static char *
test_renewer_renew_finish (EchoesUriRenewer  *renewer,
                           GAsyncResult      *result,
                           GError           **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
test_renewer_iface_init (EchoesUriRenewerInterface *iface)
{
  iface->renew_async = test_renewer_renew_async;
  iface->renew_finish = test_renewer_renew_finish;
}

static void
test_renewer_class_init (TestRenewerClass *klass)
{
}

static void
test_renewer_init (TestRenewer *self)
{
}

/* ---- the player ---- */

typedef struct
{
  GMutex   lock;
  GArray  *times;   /* GstClockTime: stream time of each frame shown */
  gboolean loaded;
  gboolean eos;
  GError  *error;
  GError  *play_error;
  Server  *server;
  EchoesPlayerPipeline *player;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_mutex_init (&fixture->lock);
  fixture->times = g_array_new (FALSE, FALSE, sizeof (GstClockTime));
  fixture->server = server_new ();
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_array_unref (fixture->times);
  g_clear_error (&fixture->error);
  g_clear_error (&fixture->play_error);
  server_free (fixture->server);
  g_mutex_clear (&fixture->lock);
}

/* Streaming thread. */
static void
frame_cb (GstSample *sample,
          gpointer   user_data)
{
  Fixture *fixture = user_data;
  const GstSegment *segment = gst_sample_get_segment (sample);
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  GstClockTime time = gst_segment_to_stream_time (segment, GST_FORMAT_TIME,
                                                  GST_BUFFER_PTS (buffer));

  g_mutex_lock (&fixture->lock);
  if (fixture->times->len == 0 ||
      g_array_index (fixture->times, GstClockTime, fixture->times->len - 1) != time)
    g_array_append_val (fixture->times, time);
  g_mutex_unlock (&fixture->lock);
}

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Fixture *fixture = user_data;

  echoes_player_pipeline_load_finish (ECHOES_PLAYER_PIPELINE (object), result, &fixture->error);
  fixture->loaded = TRUE;
}

static void
eos_cb (EchoesPlayerPipeline *player,
        Fixture              *fixture)
{
  fixture->eos = TRUE;
}

static void
error_cb (EchoesPlayerPipeline *player,
          GError               *error,
          Fixture              *fixture)
{
  g_clear_error (&fixture->play_error);
  fixture->play_error = g_error_copy (error);
}

static EchoesPlayerPipeline *
create_player (Fixture *fixture)
{
  EchoesPlayerPipeline *player = echoes_player_pipeline_new ();

  echoes_player_pipeline_set_frame_func (player, frame_cb, fixture, NULL);
  echoes_player_pipeline_set_audio_sink (player, gst_parse_bin_from_description (
    "audioconvert ! fakesink sync=true", TRUE, NULL));
  g_signal_connect (player, "eos", G_CALLBACK (eos_cb), fixture);
  g_signal_connect (player, "error", G_CALLBACK (error_cb), fixture);
  fixture->player = player;

  return player;
}

static void
load (EchoesPlayerPipeline *player,
      Fixture              *fixture,
      const char           *uri)
{
  const char *clips[] = { uri, NULL };

  fixture->loaded = FALSE;
  echoes_player_pipeline_load_async (player, clips, NULL, 1.0, 0, 0, NULL, loaded_cb, fixture);
  while (!fixture->loaded)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
ended (gpointer data)
{
  Fixture *fixture = data;

  return fixture->eos || fixture->play_error != NULL;
}

static gboolean
past_first_second (gpointer data)
{
  Fixture *fixture = data;
  GstClockTime last = 0;

  g_mutex_lock (&fixture->lock);
  if (fixture->times->len > 0)
    last = g_array_index (fixture->times, GstClockTime, fixture->times->len - 1);
  g_mutex_unlock (&fixture->lock);

  return last >= GST_SECOND || ended (data);
}

/* Expired mid-playback: the renewer is asked once, for clip 0, and playback carries on
 * from where it was (no restart from 0, no jump) to the end. */
static void
test_stream_expires_playing (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(EchoesPlayerPipeline) player = create_player (fixture);
  g_autoptr(TestRenewer) renewer = g_object_new (TEST_TYPE_RENEWER, NULL);
  g_autofree char *uri = server_uri (fixture->server, FIRST_TOKEN);
  GstClockTime expired_at, previous = 0;
  gboolean restarted = FALSE;

  renewer->server = fixture->server;
  echoes_player_pipeline_set_renewer (player, ECHOES_URI_RENEWER (renewer));

  load (player, fixture, uri);
  g_assert_no_error (fixture->error);
  g_assert_cmpuint (echoes_player_pipeline_get_duration (player), ==, FRAMES * GST_SECOND / 30);
  g_assert_cmpuint (renewer->asked, ==, 0);

  echoes_player_pipeline_play (player);
  g_assert_true (echoes_test_wait_until (past_first_second, fixture, 60000));
  g_assert_false (fixture->eos);
  expired_at = echoes_player_pipeline_get_position (player);
  server_expire (fixture->server);

  g_assert_true (echoes_test_wait_until (ended, fixture, 120000));
  g_assert_no_error (fixture->play_error);
  g_assert_true (fixture->eos);
  g_assert_cmpuint (renewer->asked, ==, 1);
  g_assert_cmpuint (renewer->last_clip, ==, 0);
  g_assert_cmpuint (fixture->server->refused, >=, 1);

  /* Frames go on from about where the URL expired: never back to the start, never a jump
   * past a stretch of the clip, up to the last frame. */
  for (guint i = 0; i < fixture->times->len; i++)
    {
      GstClockTime time = g_array_index (fixture->times, GstClockTime, i);

      if (time < previous)
        {
          g_assert_cmpuint (time + GST_SECOND / 2, >=, expired_at);
          restarted = TRUE;
        }
      else
        g_assert_cmpuint (time - previous, <, GST_SECOND / 2);
      previous = time;
    }
  g_test_message ("expired at %" GST_TIME_FORMAT ", %u frames, resumed %s",
                  GST_TIME_ARGS (expired_at), fixture->times->len,
                  restarted ? "a little before" : "in place");
  g_assert_cmpuint (previous, >=, (FRAMES - 2) * GST_SECOND / 30);
}

/* Refused before playing (the URL expired before the load): a new URL, then it plays. */
static void
test_stream_expired_before_load (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(EchoesPlayerPipeline) player = create_player (fixture);
  g_autoptr(TestRenewer) renewer = g_object_new (TEST_TYPE_RENEWER, NULL);
  g_autofree char *uri = server_uri (fixture->server, DEAD_TOKEN);

  renewer->server = fixture->server;
  echoes_player_pipeline_set_renewer (player, ECHOES_URI_RENEWER (renewer));

  load (player, fixture, uri);
  g_assert_no_error (fixture->error);
  g_assert_cmpuint (renewer->asked, ==, 1);
  g_assert_true (echoes_player_pipeline_get_loaded (player));

  echoes_player_pipeline_play (player);
  g_assert_true (echoes_test_wait_until (ended, fixture, 120000));
  g_assert_no_error (fixture->play_error);
  g_assert_cmpuint (fixture->times->len, ==, FRAMES);
}

/* Without a renewer, a refused URL is an error that does not quote it. */
static void
test_stream_refused (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(EchoesPlayerPipeline) player = create_player (fixture);
  g_autofree char *uri = server_uri (fixture->server, DEAD_TOKEN);

  load (player, fixture, uri);
  g_assert_error (fixture->error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_null (strstr (fixture->error->message, "SECRET"));
  g_assert_nonnull (strstr (fixture->error->message, "clip.mp4"));
  g_assert_false (echoes_player_pipeline_get_loaded (player));
}

/* Every message logged (debug ones too) is checked for the tokens. */
static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, "MESSAGE") == 0 && fields[i].length < 0 &&
        strstr (fields[i].value, "SECRET") != NULL)
      g_error ("A signed URL reached the log");

  return g_log_writer_default (level, fields, n_fields, user_data);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *path = NULL;
  g_autofree char *encoder = NULL;
  g_autofree char *description = NULL;
  g_autoptr(GError) error = NULL;
  char *contents;
  gsize length;
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gst_init (&argc, &argv);
  g_log_set_writer_func (log_writer, NULL, NULL);

  /* A 3 s clip with its index first (as the clips the app uploads: streamable). */
  media_dir = g_dir_make_tmp ("echoes-stream-XXXXXX", NULL);
  path = g_build_filename (media_dir, "clip.mp4", NULL);
  encoder = echoes_clip_encoder_describe (30, 1, ECHOES_CLIP_ENCODER_QUALITY);
  description = g_strdup_printf ("videotestsrc num-buffers=%u pattern=ball "
                                 "! video/x-raw,format=I420,width=320,height=180,framerate=30/1 "
                                 "! %s ! mp4mux faststart=true ! filesink location=\"%s\"",
                                 FRAMES, encoder, path);
  if (!echoes_test_media_run (description, &error))
    g_error ("Cannot make the clip: %s", error->message);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  clip_bytes = g_bytes_new_take (contents, length);

  g_test_add ("/echoes/media/player-stream/expires-playing", Fixture, NULL,
              fixture_setup, test_stream_expires_playing, fixture_teardown);
  g_test_add ("/echoes/media/player-stream/expired-before-load", Fixture, NULL,
              fixture_setup, test_stream_expired_before_load, fixture_teardown);
  g_test_add ("/echoes/media/player-stream/refused", Fixture, NULL,
              fixture_setup, test_stream_refused, fixture_teardown);

  ret = g_test_run ();

  g_bytes_unref (clip_bytes);
  echoes_test_remove_tree (media_dir);
  g_clear_pointer (&media_dir, g_free);

  return ret;
}
