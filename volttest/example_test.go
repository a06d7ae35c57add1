package volttest_test

import (
	"fmt"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/volttest"
)

func ExampleServer() {
	srv := volttest.NewServer(func(ctx *volt.RequestCtx) {
		fmt.Fprintf(ctx, "hello %s", ctx.QueryArgs().Peek("name"))
	})
	defer srv.Close()

	status, body, err := srv.Client().Get(nil, srv.URL+"/?name=test")
	fmt.Println(status, string(body), err)
	// Output: 200 hello test <nil>
}
