// Go peer of parked.c: n goroutines announce themselves, then block on one
// channel until main closes it.
package main

import (
	"fmt"
	"time"
)

func main() {
	n := benchOps(1000000)
	ready := make(chan struct{}, n)
	done := make(chan struct{}, n)
	gate := make(chan struct{})
	base := benchRSSKiB()
	t0 := time.Now()
	for i := 0; i < n; i++ {
		go func() {
			ready <- struct{}{}
			<-gate
			done <- struct{}{}
		}()
	}
	for i := 0; i < n; i++ {
		<-ready
	}
	parked := benchRSSKiB()
	t1 := time.Now()
	close(gate)
	for i := 0; i < n; i++ {
		<-done
	}
	d := time.Since(t0)
	benchReport("parked", d, n, fmt.Sprintf(" rss_per_g_kib=%.3f park_ns=%.1f",
		float64(parked-base)/float64(n), float64(t1.Sub(t0).Nanoseconds())/float64(n)))
}
