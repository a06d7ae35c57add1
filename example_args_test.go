package volt_test

import (
	"fmt"

	"github.com/volthttp/volt"
)

func ExampleArgs_Parse() {
	args := volt.AcquireArgs()
	defer volt.ReleaseArgs(args)

	args.Parse("tag=go&tag=http&q=hello+world&page=2&debug")
	fmt.Printf("q=%s\n", args.Peek("q"))
	fmt.Printf("tags=%q\n", args.PeekMulti("tag"))
	page, err := args.GetUint("page")
	fmt.Println("page", page, err)
	_, err = args.GetUint("size")
	fmt.Println("size", err)
	fmt.Println("debug", args.Has("debug"))
	// Output:
	// q=hello world
	// tags=["go" "http"]
	// page 2 <nil>
	// size volt: no such argument
	// debug true
}

func ExampleArgs_All() {
	var args volt.Args
	args.Parse("a=1&b=%41%42&a=2")
	for k, v := range args.All() {
		fmt.Printf("%s=%s\n", k, v)
	}
	// Output:
	// a=1
	// b=AB
	// a=2
}

func ExampleArgs_AppendBytes() {
	var args volt.Args
	args.Add("q", "café & crème")
	args.Add("sort", "name")
	args.Add("sort", "date")
	args.Set("sort", "size") // replaces both
	args.Del("missing")

	buf := []byte("/search?")
	buf = args.AppendBytes(buf)
	fmt.Printf("%s\n", buf)
	// Output:
	// /search?q=caf%C3%A9+%26+cr%C3%A8me&sort=size
}
