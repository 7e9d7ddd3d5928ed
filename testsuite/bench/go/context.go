// Go peer of context.c: a cancelable child of a cancelable parent, created
// and canceled n times.
package main

import (
	"context"
	"time"
)

func main() {
	n := benchOps(1000000)
	parent, cancelParent := context.WithCancel(context.Background())
	canceled := 0
	t0 := time.Now()
	for i := 0; i < n; i++ {
		c, cancel := context.WithCancel(parent)
		cancel()
		if c.Err() == context.Canceled {
			canceled++
		}
	}
	d := time.Since(t0)
	benchCheck(canceled == n && parent.Err() == nil, "children canceled, parent not")
	cancelParent()
	benchReport("context", d, n, "")
}
