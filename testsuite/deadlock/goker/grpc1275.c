/* grpc#1275 (Communication, Channel): a stream's reader waits on the
 * receive buffer's channel; CloseStream should put a message there and
 * does not, and the test gives up waiting after a timeout, leaving the
 * reader blocked. Fix: CloseStream sends it. */
#include "goker.h"

struct stream {
  tg_chan *recv, *donec;
};

static void reader(void *p) { /* G2 */
  struct stream *s = p;
  tg_chan_recv(s->recv, NULL); /* stream.Read -> recvBufferReader.Read */
  tg_chan_close(s->donec);
}

static void test_inflight_stream_closing(void *p) { /* G1 */
  (void)p;
  struct stream *s = new0(sizeof *s);
  s->recv = tg_chan_make(sizeof(bool), 0);
  s->donec = tg_chan_make(0, 0);
  GO(reader, s);
  if (fixed) { /* CloseStream */
    bool v = true;
    tg_chan_send(s->recv, &v);
  }
  tg_case cs[] = {TG_RECV(s->donec, NULL, NULL), TG_AFTER(300)};
  tg_select(cs, 2);
}

static void kernel(void) { GO(test_inflight_stream_closing, NULL); }
