// Go peer of pipeline.c: the seeds' pipeline, generator -> multiply(2) ->
// add(1) -> multiply(2) -> consumer, stages selecting on a done channel.
package main

import "time"

func main() {
	n := benchOps(300000)
	generator := func(done <-chan interface{}, count int) <-chan int {
		intStream := make(chan int)
		go func() {
			defer close(intStream)
			for i := 1; i <= count; i++ {
				select {
				case <-done:
					return
				case intStream <- i:
				}
			}
		}()
		return intStream
	}
	multiply := func(done <-chan interface{}, intStream <-chan int, multiplier int) <-chan int {
		multipliedStream := make(chan int)
		go func() {
			defer close(multipliedStream)
			for i := range intStream {
				select {
				case <-done:
					return
				case multipliedStream <- i * multiplier:
				}
			}
		}()
		return multipliedStream
	}
	add := func(done <-chan interface{}, intStream <-chan int, additive int) <-chan int {
		addedStream := make(chan int)
		go func() {
			defer close(addedStream)
			for i := range intStream {
				select {
				case <-done:
					return
				case addedStream <- i + additive:
				}
			}
		}()
		return addedStream
	}
	done := make(chan interface{})
	t0 := time.Now()
	pipeline := multiply(done, add(done, multiply(done, generator(done, n), 2), 1), 2)
	sum, count := 0, 0
	for v := range pipeline {
		sum += v
		count++
	}
	d := time.Since(t0)
	close(done)
	benchCheck(count == n && sum == 2*n*(n+1)+2*n, "pipeline sum")
	benchReport("pipeline", d, n, "")
}
