/* bench-import.c
 *
 * Copyright 2026 The Echoes Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Import benchmark (prints figures, never fails on a timing):
 *   N (default 100, ECHOES_BENCH_N) generated 12-megapixel JPEGs (4000x3000, q90, each
 *   with its own pattern and noise so they do not compress to nothing), then per image:
 *   references, one core, one process per image, sequential:
 *     a. ImageMagick  convert IN -thumbnail 320x OUT                          (first S)
 *     b. ImageMagick  convert -define jpeg:size=640x480 IN -thumbnail 320x OUT
 *     c. gdk-pixbuf-thumbnailer -s 320 IN OUT                                 (first S)
 *     d. djpeg -scale 1/8 IN > /dev/null: the decode limit (also on 2 cores in parallel)
 *   Echoes, both cores:
 *     e. EchoesThumbnailer on its own pool (decode at size + PNG cache write); also
 *        echoes_image_load_at_size() alone on one core, to set against d.
 *     f. EchoesImporter into a fresh store: check + copy + thumbnail + insert;
 *     g. meanwhile, the longest gap between dispatches of a 1 ms timeout on the default
 *        main context (the import's main-loop stall), max and 99th percentile.
 *   S = ECHOES_BENCH_SLOW_N (default 20) for the slow references. Every measure runs once
 *   per round (ECHOES_BENCH_ROUNDS, default 3), interleaved, and the best round is the
 *   figure: other processes on the machine only ever add time.
 * Exit status 1 only when something is broken: a reference tool missing, a command or
 * an import failing. Keep the inputs with ECHOES_BENCH_KEEP=1. */

#define G_LOG_DOMAIN "bench-import"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <glib/gstdio.h>

#include "echoes-image.h"
#include "echoes-importer.h"
#include "echoes-store.h"
#include "echoes-thumbnailer.h"

#include "bench-util.h"
#include "../echoes-test-util.h"

/* The references make 320 px wide thumbnails (convert -thumbnail 320x, …): so does
 * Echoes here, whatever size the timeline uses. */
#define BENCH_THUMBNAIL_SIZE 320

#define WIDTH  4000
#define HEIGHT 3000

typedef enum
{
  REF_CONVERT,
  REF_CONVERT_FAST,
  REF_PIXBUF_THUMBNAILER,
  REF_DJPEG,
} RefKind;

typedef struct
{
  GPtrArray *images;   /* (element-type utf8) */
  const char *tool;
  RefKind     kind;
  const char *out_dir;
  guint       next;    /* atomic: the next image to take */
  guint       end;
  gint        failed;  /* atomic */
} RefJob;

typedef struct
{
  guint     pending;
  guint     failed;
} Pending;

typedef struct
{
  gint64  last;
  GArray *gaps;        /* (element-type gint64) microseconds */
} Ticker;

/* Other work on the machine skews every figure here: say how much there was. */
static void
print_load (const char *when)
{
  g_autofree char *load = NULL;

  if (g_file_get_contents ("/proc/loadavg", &load, NULL, NULL))
    g_print ("# load average %s: %s", when, load);
}

/* User + system CPU time of this process (all threads), in ms. */
static double
cpu_ms (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec * 1e3 + usage.ru_utime.tv_usec / 1e3 +
         usage.ru_stime.tv_sec * 1e3 + usage.ru_stime.tv_usec / 1e3;
}

/* A photo-like image: a per-image colour field of a few sine waves, edges from a
 * checker of varying period, and ±8 of hashed noise: about 2.8 MB a photo at q90, near
 * what a 12 MP camera writes. */
static void
generate_jpeg (gpointer data,
               gpointer user_data)
{
  GPtrArray *images = user_data;
  guint seed = GPOINTER_TO_UINT (data);
  const char *path = g_ptr_array_index (images, seed - 1);
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, WIDTH, HEIGHT);
  g_autoptr(GError) error = NULL;
  g_autofree double *colx = g_new (double, WIDTH);
  g_autofree double *rowy = g_new (double, HEIGHT);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  double fx = 0.002 + 0.0007 * (seed % 11);
  double fy = 0.003 + 0.0005 * (seed % 7);
  int period = 40 + 17 * (seed % 13);

  for (int x = 0; x < WIDTH; x++)
    colx[x] = 60.0 * sin (x * fx + seed);
  for (int y = 0; y < HEIGHT; y++)
    rowy[y] = 60.0 * sin (y * fy + 2.0 * seed);

  for (int y = 0; y < HEIGHT; y++)
    {
      guint8 *row = pixels + (gsize)y * stride;

      for (int x = 0; x < WIDTH; x++)
        {
          guint32 h = ((guint32)x * 73856093u) ^ ((guint32)y * 19349663u) ^ (seed * 83492791u);
          int noise, edge, base;

          h ^= h >> 13;
          h *= 0x5bd1e995u;
          h ^= h >> 15;
          noise = (int)(h & 15) - 8;
          edge = (((x / period) + (y / period)) & 1) ? 24 : -24;
          base = 128 + (int)(colx[x] + rowy[y]) / 2;

          row[x * 3 + 0] = CLAMP (base + edge + noise + (int)(seed * 37 % 64) - 32, 0, 255);
          row[x * 3 + 1] = CLAMP (base - edge / 2 + noise + (int)colx[x] / 3, 0, 255);
          row[x * 3 + 2] = CLAMP (255 - base + noise + (int)rowy[y] / 3, 0, 255);
        }
    }

  if (!gdk_pixbuf_save (pixbuf, path, "jpeg", &error, "quality", "90", NULL))
    g_error ("cannot write %s: %s", path, error->message);
}

static GPtrArray *
generate_images (const char *dir,
                 guint       n)
{
  GPtrArray *images = g_ptr_array_new_with_free_func (g_free);
  GThreadPool *pool;
  guint64 bytes = 0;
  gint64 start = g_get_monotonic_time ();

  /* Loads the pixbuf modules once, before the threads race to. */
  g_slist_free (gdk_pixbuf_get_formats ());

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("photo-%03u.jpg", i);

      g_ptr_array_add (images, g_build_filename (dir, name, NULL));
    }

  /* Seeds count from 1: a thread pool takes no NULL. */
  pool = g_thread_pool_new (generate_jpeg, images, g_get_num_processors (), FALSE, NULL);
  for (guint i = 0; i < n; i++)
    g_thread_pool_push (pool, GUINT_TO_POINTER (i + 1), NULL);
  g_thread_pool_free (pool, FALSE, TRUE);

  for (guint i = 0; i < images->len; i++)
    {
      GStatBuf st;

      if (g_stat (g_ptr_array_index (images, i), &st) == 0)
        bytes += st.st_size;
    }

  g_print ("# generated %u x %dx%d JPEGs (q90, %.1f MB average) in %.1f s into %s\n",
           n, WIDTH, HEIGHT, bytes / 1e6 / MAX (n, 1),
           (g_get_monotonic_time () - start) / 1e6, dir);
  return images;
}

/* The ImageMagick binary itself, not a wrapper script in front of it: a shell or Python
 * start per call would be billed to the reference. */
static char *
find_convert (void)
{
  char *path;

  if ((path = g_find_program_in_path ("convert-im6.q16")))
    return path;
  if (g_file_test ("/usr/bin/convert", G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup ("/usr/bin/convert");
  return g_find_program_in_path ("convert");
}

static gboolean
run_reference (RefJob     *job,
               guint       index)
{
  const char *in = g_ptr_array_index (job->images, index);
  g_autofree char *name = g_strdup_printf ("ref-%u-%03u.png", job->kind, index);
  g_autofree char *out = g_build_filename (job->out_dir, name, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  const char *argv[10] = { job->tool, };
  int status;

  switch (job->kind)
    {
    case REF_CONVERT:
      argv[1] = in;
      argv[2] = "-thumbnail";
      argv[3] = "320x";
      argv[4] = out;
      break;

    case REF_CONVERT_FAST:
      argv[1] = "-define";
      argv[2] = "jpeg:size=640x480";
      argv[3] = in;
      argv[4] = "-thumbnail";
      argv[5] = "320x";
      argv[6] = out;
      break;

    case REF_PIXBUF_THUMBNAILER:
      argv[1] = "-s";
      argv[2] = "320";
      argv[3] = in;
      argv[4] = out;
      break;

    case REF_DJPEG:
      /* The pixels go to /dev/null: only the decode is timed. */
      argv[1] = "-scale";
      argv[2] = "1/8";
      argv[3] = in;
      break;

    default:
      g_assert_not_reached ();
    }

  if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                     &err, &status, &error))
    {
      g_printerr ("cannot run %s: %s\n", job->tool, error->message);
      return FALSE;
    }
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_printerr ("%s failed on %s: %s\n", job->tool, in, err);
      return FALSE;
    }

  return TRUE;
}

static gpointer
reference_thread (gpointer data)
{
  RefJob *job = data;
  guint i;

  while ((i = g_atomic_int_add (&job->next, 1)) < job->end)
    if (!run_reference (job, i))
      g_atomic_int_inc (&job->failed);

  return NULL;
}

/* Returns wall-clock ms per image over the first @n images with @threads processes at
 * a time, or a negative number when a command failed. */
static double
time_reference (GPtrArray  *images,
                const char *tool,
                RefKind     kind,
                const char *out_dir,
                guint       n,
                guint       threads)
{
  RefJob job = { images, tool, kind, out_dir, 0, MIN (n, images->len), 0 };
  GThread *workers[8];
  gint64 start;

  g_assert (threads <= G_N_ELEMENTS (workers));

  /* One untimed run: the binary and its libraries into the page cache. */
  if (!run_reference (&job, 0))
    return -1;

  start = g_get_monotonic_time ();
  for (guint t = 0; t < threads; t++)
    workers[t] = g_thread_new ("bench-ref", reference_thread, &job);
  for (guint t = 0; t < threads; t++)
    g_thread_join (workers[t]);

  if (job.failed > 0)
    return -1;
  return (g_get_monotonic_time () - start) / 1000.0 / job.end;
}

static void
thumbnail_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Pending *pending = user_data;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) error = NULL;

  pixbuf = echoes_thumbnailer_load_finish (ECHOES_THUMBNAILER (object), result, &error);
  if (pixbuf == NULL || gdk_pixbuf_get_width (pixbuf) != BENCH_THUMBNAIL_SIZE)
    {
      g_printerr ("thumbnail failed: %s\n", error ? error->message : "wrong size");
      pending->failed++;
    }
  pending->pending--;
}

static double
time_thumbnailer (GPtrArray  *images,
                  const char *cache_dir,
                  guint      *failed)
{
  g_autoptr(EchoesThumbnailer) thumbnailer = echoes_thumbnailer_new (cache_dir);
  Pending pending = { images->len, 0 };
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < images->len; i++)
    {
      g_autofree char *key = g_strdup_printf ("bench-%03u", i);

      echoes_thumbnailer_load_async (thumbnailer, g_ptr_array_index (images, i), key,
                                     BENCH_THUMBNAIL_SIZE, NULL, thumbnail_cb, &pending);
    }
  while (pending.pending > 0)
    g_main_context_iteration (NULL, TRUE);

  *failed = pending.failed;
  return (g_get_monotonic_time () - start) / 1000.0 / images->len;
}

static double
time_load_at_size (GPtrArray *images,
                   guint      n,
                   guint     *failed)
{
  gint64 start = g_get_monotonic_time ();

  n = MIN (n, images->len);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GdkPixbuf) pixbuf = NULL;
      g_autoptr(GError) error = NULL;

      if (!(pixbuf = echoes_image_load_at_size (g_ptr_array_index (images, i),
                                                BENCH_THUMBNAIL_SIZE, &error)))
        {
          g_printerr ("load failed: %s\n", error->message);
          (*failed)++;
        }
    }

  return (g_get_monotonic_time () - start) / 1000.0 / n;
}

static void
load_worker (gpointer data,
             gpointer user_data)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) error = NULL;

  if (!(pixbuf = echoes_image_load_at_size (data, BENCH_THUMBNAIL_SIZE, &error)))
    {
      g_printerr ("load failed: %s\n", error->message);
      g_atomic_int_inc ((gint *)user_data);
    }
}

/* echoes_image_load_at_size() alone on @threads threads: the decode without the
 * thumbnailer's cache write, to tell the two apart. */
static double
time_load_at_size_parallel (GPtrArray *images,
                            guint      threads,
                            guint     *failed)
{
  gint errors = 0;
  gint64 start = g_get_monotonic_time ();
  GThreadPool *pool = g_thread_pool_new (load_worker, &errors, threads, TRUE, NULL);

  for (guint i = 0; i < images->len; i++)
    g_thread_pool_push (pool, g_ptr_array_index (images, i), NULL);
  g_thread_pool_free (pool, FALSE, TRUE);

  *failed += errors;
  return (g_get_monotonic_time () - start) / 1000.0 / images->len;
}

static gboolean
tick_cb (gpointer data)
{
  Ticker *ticker = data;
  gint64 now = g_get_monotonic_time ();

  if (ticker->last != 0)
    {
      gint64 gap = now - ticker->last;

      g_array_append_val (ticker->gaps, gap);
    }
  ticker->last = now;
  return G_SOURCE_CONTINUE;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

  return x < y ? -1 : x > y;
}

static void
gap_stats (GArray *gaps,
           double *max_ms,
           double *p99_ms)
{
  *max_ms = *p99_ms = 0;
  if (gaps->len == 0)
    return;

  g_array_sort (gaps, compare_gint64);
  *max_ms = g_array_index (gaps, gint64, gaps->len - 1) / 1000.0;
  *p99_ms = g_array_index (gaps, gint64, MIN (gaps->len - 1, (guint)(gaps->len * 0.99))) / 1000.0;
}

static void
import_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GError **error = user_data;

  if (!echoes_importer_import_finish (ECHOES_IMPORTER (object), result, error) && *error == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "import failed");
  g_object_set_data (object, "bench-done", GINT_TO_POINTER (TRUE));
}

/* Idle main loop with the same 1 ms ticker: the scheduler's own noise on this machine. */
static void
idle_stalls (guint   ms,
             double *max_ms,
             double *p99_ms)
{
  Ticker ticker = { 0, g_array_new (FALSE, FALSE, sizeof (gint64)) };
  guint id = g_timeout_add (1, tick_cb, &ticker);
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
  gap_stats (ticker.gaps, max_ms, p99_ms);
  g_array_unref (ticker.gaps);
}

static gboolean
time_import (GPtrArray  *images,
             const char *data_dir,
             const char *cache_dir,
             double     *ms_per_image,
             double     *stall_max_ms,
             double     *stall_p99_ms,
             guint      *n_ticks)
{
  g_autoptr(EchoesStore) store = NULL;
  g_autoptr(EchoesProject) project = NULL;
  g_autoptr(EchoesThumbnailer) thumbnailer = NULL;
  g_autoptr(EchoesImporter) importer = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) clips = NULL;
  g_autoptr(GError) error = NULL;
  Ticker ticker = { 0, g_array_new (FALSE, FALSE, sizeof (gint64)) };
  gint64 start;
  guint id;

  if (!(store = echoes_store_open (data_dir, &error)) ||
      !(project = echoes_store_create_project (store, "Bench", &error)))
    {
      g_printerr ("cannot make the store: %s\n", error->message);
      return FALSE;
    }
  thumbnailer = echoes_thumbnailer_new (cache_dir);
  importer = echoes_importer_new (store, thumbnailer, echoes_project_get_id (project));
  for (guint i = 0; i < images->len; i++)
    g_ptr_array_add (files, g_file_new_for_path (g_ptr_array_index (images, i)));

  id = g_timeout_add (1, tick_cb, &ticker);
  start = g_get_monotonic_time ();
  echoes_importer_import_async (importer, files, NULL, import_cb, &error);
  while (!g_object_get_data (G_OBJECT (importer), "bench-done"))
    g_main_context_iteration (NULL, TRUE);
  /* The last clip-added events may still be queued behind the task's result. */
  while (echoes_importer_get_done (importer) < images->len)
    g_main_context_iteration (NULL, TRUE);
  *ms_per_image = (g_get_monotonic_time () - start) / 1000.0 / images->len;
  g_source_remove (id);

  gap_stats (ticker.gaps, stall_max_ms, stall_p99_ms);
  *n_ticks = ticker.gaps->len;
  g_array_unref (ticker.gaps);

  if (error != NULL)
    {
      g_printerr ("import: %s\n", error->message);
      return FALSE;
    }
  if (echoes_importer_get_failed (importer) > 0)
    {
      g_printerr ("import: %u of %u files failed\n", echoes_importer_get_failed (importer),
                  images->len);
      return FALSE;
    }
  if (!(clips = echoes_store_list_clips (store, echoes_project_get_id (project), &error)) ||
      clips->len != images->len)
    {
      g_printerr ("import: the store holds %u clips, not %u\n", clips ? clips->len : 0,
                  images->len);
      return FALSE;
    }

  return TRUE;
}

/* One figure over the rounds: other processes only ever add time, so the best round is
 * the figure and the median says how noisy the machine was. */
typedef struct
{
  const char *label;
  const char *note;
  guint       n;
  double      values[16];
  guint       len;
  double      best;
  double      median;
} Figure;

static void
figure_add (Figure *figure,
            double  value)
{
  g_assert (figure->len < G_N_ELEMENTS (figure->values));
  figure->values[figure->len++] = value;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

/* Returns FALSE if a round failed (a negative value). */
static gboolean
figure_print (Figure *figure)
{
  double sorted[G_N_ELEMENTS (figure->values)];

  memcpy (sorted, figure->values, figure->len * sizeof (double));
  qsort (sorted, figure->len, sizeof (double), compare_double);
  if (figure->len == 0 || sorted[0] < 0)
    {
      g_print ("%-44s FAILED\n", figure->label);
      figure->best = figure->median = -1;
      return FALSE;
    }

  figure->best = sorted[0];
  figure->median = sorted[figure->len / 2];
  g_print ("%-44s %7.1f ms/img  (median %.1f; %u images%s%s)\n", figure->label, figure->best,
           figure->median, figure->n, figure->note ? ", " : "", figure->note ? figure->note : "");
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = NULL;
  g_autofree char *out_dir = NULL;
  g_autofree char *convert = NULL;
  g_autofree char *thumbnailer_tool = NULL;
  g_autofree char *djpeg = NULL;
  g_autofree char *thread_note = NULL;
  g_autofree char *pool_note = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GString) stalls = g_string_new (NULL);
  guint n = bench_env_uint ("ECHOES_BENCH_N", 100);
  guint slow_n = MIN (bench_env_uint ("ECHOES_BENCH_SLOW_N", 20), n);
  guint rounds = MIN (bench_env_uint ("ECHOES_BENCH_ROUNDS", 3), 16);
  guint cores = g_get_num_processors ();
  Figure conv = { "a. convert -thumbnail 320x", NULL, slow_n, };
  Figure conv_fast = { "b. convert -define jpeg:size=640x480 ...", NULL, n, };
  Figure pixbuf_thumb = { "c. gdk-pixbuf-thumbnailer -s 320", NULL, slow_n, };
  Figure dj = { "d. djpeg -scale 1/8 (1 core)", NULL, n, };
  Figure dj2 = { "d2. djpeg -scale 1/8 (2 in parallel), wall", NULL, n, };
  Figure load1 = { "e1. echoes_image_load_at_size (1 core)", NULL, n, };
  Figure load2 = { "e2. echoes_image_load_at_size, wall", NULL, n, };
  Figure thumb = { "e. EchoesThumbnailer async, wall", NULL, n, };
  Figure import = { "f. EchoesImporter import, wall", NULL, n, };
  double thumb_cpu = 0, import_cpu = 0, stall_max = 0, stall_p99 = 0;
  double best_stall_max = G_MAXDOUBLE, idle_max = 0, idle_p99 = 0;
  guint failed = 0;
  gboolean ok = TRUE;

  convert = find_convert ();
  thumbnailer_tool = g_find_program_in_path ("gdk-pixbuf-thumbnailer");
  djpeg = g_find_program_in_path ("djpeg");
  if (!convert || !thumbnailer_tool || !djpeg)
    {
      g_printerr ("missing reference tool(s):%s%s%s (build-aux/ci-install.sh installs them)\n",
                  convert ? "" : " convert (imagemagick)",
                  thumbnailer_tool ? "" : " gdk-pixbuf-thumbnailer (libgdk-pixbuf2.0-bin)",
                  djpeg ? "" : " djpeg (libjpeg-turbo-progs)");
      return 1;
    }

  dir = g_dir_make_tmp ("echoes-bench-import-XXXXXX", NULL);
  /* Nothing of the user's: the store, caches and the children's caches live here. */
  {
    g_autofree char *xdg_data = g_build_filename (dir, "xdg-data", NULL);
    g_autofree char *xdg_cache = g_build_filename (dir, "xdg-cache", NULL);
    g_autofree char *xdg_config = g_build_filename (dir, "xdg-config", NULL);

    g_setenv ("XDG_DATA_HOME", xdg_data, TRUE);
    g_setenv ("XDG_CACHE_HOME", xdg_cache, TRUE);
    g_setenv ("XDG_CONFIG_HOME", xdg_config, TRUE);
  }
  /* "One core" for the references: ImageMagick would otherwise use OpenMP threads. */
  g_setenv ("MAGICK_THREAD_LIMIT", "1", TRUE);
  g_setenv ("OMP_NUM_THREADS", "1", TRUE);

  out_dir = g_build_filename (dir, "out", NULL);
  g_mkdir_with_parents (out_dir, 0700);

  g_print ("# %u cores; convert = %s; gdk-pixbuf-thumbnailer = %s; djpeg = %s\n",
           cores, convert, thumbnailer_tool, djpeg);
  g_print ("# %u rounds, every measure once per round, interleaved; each figure is the best "
           "round (ECHOES_BENCH_ROUNDS)\n", rounds);
  print_load ("before");
  images = generate_images (dir, n);
  idle_stalls (500, &idle_max, &idle_p99);

  for (guint r = 0; r < rounds; r++)
    {
      g_autofree char *thumb_cache = g_strdup_printf ("%s/thumb-cache-%u", dir, r);
      g_autofree char *import_data = g_strdup_printf ("%s/import-data-%u", dir, r);
      g_autofree char *import_cache = g_strdup_printf ("%s/import-cache-%u", dir, r);
      double max_ms = 0, p99_ms = 0, ms = -1, cpu_start;
      guint ticks = 0;

      g_printerr ("# round %u of %u\n", r + 1, rounds);
      figure_add (&conv, time_reference (images, convert, REF_CONVERT, out_dir, slow_n, 1));
      figure_add (&conv_fast, time_reference (images, convert, REF_CONVERT_FAST, out_dir, n, 1));
      figure_add (&pixbuf_thumb, time_reference (images, thumbnailer_tool,
                                                 REF_PIXBUF_THUMBNAILER, out_dir, slow_n, 1));
      figure_add (&dj, time_reference (images, djpeg, REF_DJPEG, out_dir, n, 1));
      figure_add (&dj2, time_reference (images, djpeg, REF_DJPEG, out_dir, n, 2));

      figure_add (&load1, time_load_at_size (images, n, &failed));
      figure_add (&load2, time_load_at_size_parallel (images, cores, &failed));

      cpu_start = cpu_ms ();
      figure_add (&thumb, time_thumbnailer (images, thumb_cache, &failed));
      thumb_cpu += (cpu_ms () - cpu_start) / n / rounds;

      cpu_start = cpu_ms ();
      if (!time_import (images, import_data, import_cache, &ms, &max_ms, &p99_ms, &ticks))
        ok = FALSE;
      import_cpu += (cpu_ms () - cpu_start) / n / rounds;
      figure_add (&import, ms);
      stall_max = MAX (stall_max, max_ms);
      best_stall_max = MIN (best_stall_max, max_ms);
      stall_p99 = MAX (stall_p99, p99_ms);
      g_string_append_printf (stalls, "%s%.1f/%.1f", r ? ", " : "", max_ms, p99_ms);

      /* 100 copies of 3 MB per round: not kept. */
      echoes_test_remove_tree (import_data);
      echoes_test_remove_tree (thumb_cache);
      echoes_test_remove_tree (import_cache);
    }
  if (failed > 0)
    ok = FALSE;

  g_print ("\n## references: one core, one process per image (spawn included), sequential\n");
  ok &= figure_print (&conv);
  ok &= figure_print (&conv_fast);
  ok &= figure_print (&pixbuf_thumb);
  ok &= figure_print (&dj);
  ok &= figure_print (&dj2);

  g_print ("\n## Echoes (in process)\n");
  thread_note = g_strdup_printf ("%u threads", cores);
  pool_note = g_strdup_printf ("pool of %u, + PNG cache write; CPU %.1f ms/img",
                               MAX (2, cores), thumb_cpu);
  load2.note = thread_note;
  thumb.note = pool_note;
  ok &= figure_print (&load1);
  ok &= figure_print (&load2);
  ok &= figure_print (&thumb);
  {
    g_autofree char *import_note = g_strdup_printf ("%u threads, check+copy+thumbnail+insert; "
                                                    "CPU %.1f ms/img", cores, import_cpu);

    import.note = import_note;
    ok &= figure_print (&import);
  }

  if (ok)
    {
      g_print ("\n## the issue's figures (best round of each; lower ms is better)\n");
      g_print ("thumbnail: echoes %.1f ms/img (%u cores) | convert fastest %.1f ms (1 core) | "
               "ratio %.1fx (goal >= 2x)\n",
               thumb.best, cores, conv_fast.best, conv_fast.best / thumb.best);
      g_print ("thumbnail: echoes %.1f ms/img (%u cores) | convert plain %.1f ms | "
               "gdk-pixbuf-thumbnailer %.1f ms | ratios %.1fx / %.1fx\n",
               thumb.best, cores, conv.best, pixbuf_thumb.best, conv.best / thumb.best,
               pixbuf_thumb.best / thumb.best);
      g_print ("decode limit: echoes %.1f ms/img (%u cores) | djpeg 1/8 %.1f ms (1 core) | "
               "echoes/djpeg %.2fx (goal <= 1.5x)\n",
               thumb.best, cores, dj.best, thumb.best / dj.best);
      g_print ("decode limit: echoes %.1f ms/img (%u cores) | djpeg 1/8 %.1f ms (2 in "
               "parallel) | echoes/djpeg %.2fx\n",
               thumb.best, cores, dj2.best, thumb.best / dj2.best);
      g_print ("decode, 1 core each: echoes_image_load_at_size %.1f ms/img | djpeg 1/8 %.1f ms | "
               "echoes/djpeg %.2fx\n",
               load1.best, dj.best, load1.best / dj.best);
      g_print ("import: echoes %.1f ms/img (%u cores, check+copy+thumbnail+insert) | "
               "convert fastest %.1f ms | ratio %.1fx | vs djpeg 1 core %.2fx\n",
               import.best, cores, conv_fast.best, conv_fast.best / import.best,
               import.best / dj.best);
    }
  g_print ("main-loop stall during import: max %.1f ms (best round %.1f), p99 %.1f ms "
           "(goal <= 32 ms) | rounds max/p99: %s | idle loop: max %.1f ms, p99 %.1f ms\n",
           stall_max, best_stall_max, stall_p99, stalls->str, idle_max, idle_p99);
  print_load ("after");

  if (g_getenv ("ECHOES_BENCH_KEEP") == NULL)
    echoes_test_remove_tree (dir);

  if (!ok)
    {
      g_printerr ("bench-import: something failed (see above)\n");
      return 1;
    }
  return 0;
}
