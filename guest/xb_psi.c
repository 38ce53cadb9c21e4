// SPDX-License-Identifier: GPL-2.0
/*
 * xballoon: memory pressure stall information (PSI) for the report.
 *
 * Linux exports no PSI interface to modules (psi_system and the trigger API
 * are internal), so the report work item reads /proc/pressure/memory as any
 * reader does, and the core parses it. The file is opened once, from the
 * work item (a kworker: the init mount namespace, full credentials), and
 * kept open. Its proc read is seq_read, which kernel_read() refuses (a file
 * with ->read and no ->read_iter), so it is read through seq_read_iter(),
 * the exported reader of seq_file files: /proc/pressure files are single_open
 * seq_file in every kernel with PSI (4.20 to 6.12). A kernel whose file
 * has ->read_iter is read with kernel_read().
 *
 * Only the report work item calls xb_psi_sample() (it may sleep: psi_show
 * takes a mutex, the first read allocates). The pressure paths call
 * xb_psi_pressure(), which only kicks the report, at most once per
 * report_min_ms: reclaim is when memory stalls happen, so it is what starts
 * the sampling; while the averages are not zero the work item samples
 * every report period, and when they are, nothing runs.
 *
 * Without PSI (CONFIG_PSI=n, or psi=0 / CONFIG_PSI_DEFAULT_DISABLED without
 * psi=1 on the command line, where /proc/pressure does not exist) the report
 * has no psi_* fields, and the log says why, once.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/seq_file.h>
#include <linux/uio.h>

#include "xb.h"

#define XB_PSI_PATH "/proc/pressure/memory"
#define XB_PSI_RETRY_MS 60000	/* open again after a failure, at most */

/* owned by the report work item */
static struct file *xb_psi_file;
static u64 xb_psi_retry_at;
static bool xb_psi_logged;
static char xb_psi_buf[512];
/* jiffies of the last kick from a pressure path */
static unsigned long xb_psi_kicked;

static void xb_psi_log_once(const char *why, long err)
{
	if (xb_psi_logged)
		return;
	xb_psi_logged = true;
	pr_info("PSI: %s (%ld): the report has no psi_* fields\n", why, err);
}

static ssize_t xb_psi_read(struct file *f, char *buf, size_t len)
{
	struct kvec kv = { .iov_base = buf, .iov_len = len };
	struct iov_iter it;
	struct kiocb kiocb;
	loff_t pos = 0;

	if (f->f_op->read_iter && !f->f_op->read)
		return kernel_read(f, buf, len, &pos);
	init_sync_kiocb(&kiocb, f);
	kiocb.ki_pos = 0;	/* seq_read_iter starts over at 0 */
	iov_iter_kvec(&it, ITER_DEST, &kv, 1, len);
	return seq_read_iter(&kiocb, &it);
}

/*
 * Sample PSI into *p (p->valid false if there is none). Report work item
 * only.
 */
void xb_psi_sample(struct xb_psi *p, u64 now_ms)
{
	struct file *f;
	ssize_t n;

	p->valid = false;
	if (!IS_ENABLED(CONFIG_PSI)) {
		xb_psi_log_once("not in this kernel (CONFIG_PSI=n)",
				-EOPNOTSUPP);
		return;
	}
	if (!xb_psi_file) {
		if (now_ms < xb_psi_retry_at)
			return;
		f = filp_open(XB_PSI_PATH, O_RDONLY, 0);
		if (IS_ERR(f)) {
			xb_psi_retry_at = now_ms + XB_PSI_RETRY_MS;
			xb_psi_log_once("cannot open " XB_PSI_PATH
					" (psi=0, or PSI off by default without psi=1, or no /proc)",
					PTR_ERR(f));
			return;
		}
		xb_psi_file = f;
		pr_info("PSI: reporting memory pressure from " XB_PSI_PATH "\n");
	}
	n = xb_psi_read(xb_psi_file, xb_psi_buf, sizeof(xb_psi_buf));
	if (n <= 0 || n >= sizeof(xb_psi_buf) ||
	    xb_psi_parse(xb_psi_buf, n, p)) {
		xb_psi_log_once("cannot read or parse " XB_PSI_PATH,
				n < 0 ? n : -EINVAL);
		p->valid = false;
		/* try again later, from a fresh open */
		fput(xb_psi_file);
		xb_psi_file = NULL;
		xb_psi_retry_at = now_ms + XB_PSI_RETRY_MS;
	}
}

/*
 * From the pressure paths (shrinker, OOM notifier): take no lock, sleep
 * never; kick the report at most once per report_min_ms.
 */
void xb_psi_pressure(void)
{
	unsigned long now = jiffies;
	unsigned long last = READ_ONCE(xb_psi_kicked);

	if (!IS_ENABLED(CONFIG_PSI) ||
	    time_before(now, last + msecs_to_jiffies(READ_ONCE(xb_report_min_ms))))
		return;
	WRITE_ONCE(xb_psi_kicked, now);
	xb_report_kick();
}

void xb_psi_init(void)
{
	/* jiffies start near the wrap: "long ago" must be said explicitly */
	xb_psi_kicked = jiffies - msecs_to_jiffies(XB_REPORT_MIN_MS_HI) - 1;
}

/* After the report work item has stopped for good. */
void xb_psi_exit(void)
{
	if (xb_psi_file)
		fput(xb_psi_file);
	xb_psi_file = NULL;
}
