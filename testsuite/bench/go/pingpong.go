// Go peer of pingpong.c: the seeds' BenchmarkContextSwitch.
package main

import "time"

func main() {
	n := benchOps(1000000)
	begin := make(chan struct{})
	c := make(chan struct{})
	done := make(chan struct{}, 2)
	var token struct{}
	got := 0
	go func() {
		<-begin
		for i := 0; i < n; i++ {
			c <- token
		}
		done <- token
	}()
	go func() {
		<-begin
		for i := 0; i < n; i++ {
			if _, ok := <-c; ok {
				got++
			}
		}
		done <- token
	}()
	t0 := time.Now()
	close(begin)
	<-done
	<-done
	d := time.Since(t0)
	benchCheck(got == n, "receiver count")
	benchReport("pingpong", d, n, "")
}
