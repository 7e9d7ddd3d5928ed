// Go peer of echo.c: 1000 connections over 127.0.0.1, each doing
// total/1000 round trips of a 64-byte message.
package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

const (
	conns = 1000
	msg   = 64
)

func main() {
	total := benchOps(20000)
	rounds := total / conns
	if rounds < 1 {
		rounds = 1
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	benchCheck(err == nil, "listen on 127.0.0.1")
	addr := ln.Addr().String()
	done := make(chan int, conns)
	t0 := time.Now()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				buf := make([]byte, msg)
				for {
					r, err := c.Read(buf)
					if r > 0 {
						if _, werr := c.Write(buf[:r]); werr != nil {
							break
						}
					}
					if err != nil {
						break
					}
				}
				c.Close()
			}(c)
		}
	}()
	for i := 0; i < conns; i++ {
		go func(id int) {
			ok := 0
			c, err := net.Dial("tcp", addr)
			if err != nil {
				fmt.Fprintf(os.Stderr, "echo: dial %s: %v\n", addr, err)
				done <- 0
				return
			}
			out := make([]byte, msg)
			in := make([]byte, msg)
			for r := 0; r < rounds; r++ {
				for j := range out {
					out[j] = byte(id + r)
				}
				if _, err := c.Write(out); err != nil {
					break
				}
				if _, err := io.ReadFull(c, in); err != nil || !bytes.Equal(in, out) {
					break
				}
				ok++
			}
			c.Close()
			done <- ok
		}(i)
	}
	sum := 0
	for i := 0; i < conns; i++ {
		sum += <-done
	}
	d := time.Since(t0)
	ln.Close()
	benchCheck(sum == conns*rounds, "every round trip echoed")
	benchReport("echo", d, conns*rounds, fmt.Sprintf(" conns=%d", conns))
}
