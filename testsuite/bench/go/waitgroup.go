// Go peer of waitgroup.c: Add(n), n goroutines call Done, main Waits.
package main

import (
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	n := benchOps(1000000)
	var wg sync.WaitGroup
	var ran int64
	t0 := time.Now()
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			atomic.AddInt64(&ran, 1)
			wg.Done()
		}()
	}
	wg.Wait()
	d := time.Since(t0)
	benchCheck(atomic.LoadInt64(&ran) == int64(n), "every worker ran before Wait returned")
	benchReport("waitgroup", d, n, "")
}
