package debughandler

import (
	"expvar"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/adaptor"
)

// Expvar returns a handler answering with the JSON object of every
// variable published with package expvar, "cmdline" and "memstats"
// included.
func Expvar() volt.RequestHandler { return expvarHandler }

var expvarHandler = adaptor.NewHandler(expvar.Handler())
