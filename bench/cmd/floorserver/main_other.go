//go:build !linux

// Command floorserver needs Linux (epoll); see main.go.
package main

import "log"

func main() { log.Fatal("floorserver: Linux only") }
