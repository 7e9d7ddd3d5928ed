/* Seed 002_86b5fec98460e5da.txt, "Go channels revisited": "if you try to close
 * a nil channel, your program is going to panic".
 *   var c chan string
 *   close(c)                                                                 */
#include <tangle.h>

int main(void) {
  tg_chan *c = NULL; /* var c chan string */
  tg_chan_close(c);
  return 0;
}
