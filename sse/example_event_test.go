package sse_test

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/volthttp/volt/sse"
)

func ExampleAppendEvent() {
	buf := make([]byte, 0, 256) // reuse it: encoding then allocates nothing
	buf, err := sse.AppendEvent(buf, &sse.Event{
		ID:    "42",
		Type:  "update",
		Data:  []byte("first line\r\nsecond line"),
		Retry: 5 * time.Second,
	})
	if err != nil {
		panic(err)
	}
	buf = sse.AppendComment(buf, "keep-alive")
	os.Stdout.Write(buf)
	// Output:
	// id: 42
	// event: update
	// retry: 5000
	// data: first line
	// data: second line
	//
	// : keep-alive
}

func ExampleParser_Feed() {
	var p sse.Parser
	print := func(ev *sse.Event) error {
		fmt.Printf("%s id=%q data=%q\n", ev.Type, ev.ID, ev.Data)
		return nil
	}
	// Bytes arrive in pieces; a CRLF may be split between two.
	p.Feed([]byte("id: 1\r\nevent: add\r\ndata: a\r"), print)
	p.Feed([]byte("\ndata: b\r\n\r\ndata: c\n\n: comment\n"), print)
	p.Feed([]byte("retry: 1500\ndata: unfinished"), print)
	retry, _ := p.Retry()
	fmt.Println("last event ID:", p.LastEventID(), "retry:", retry)
	// Output:
	// add id="1" data="a\nb"
	// message id="1" data="c"
	// last event ID: 1 retry: 1.5s
}

func ExampleReadEvents() {
	stream := "data: {\"n\":1}\n\ndata: {\"n\":2}\n\n"
	sse.ReadEvents(strings.NewReader(stream), func(ev *sse.Event) error {
		fmt.Println(string(ev.Data))
		return nil
	})
	// Output:
	// {"n":1}
	// {"n":2}
}
