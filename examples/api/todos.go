package main

import (
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/router"
)

// todo is the API's resource.
type todo struct {
	ID      int       `json:"id"`
	Title   string    `json:"title"`
	Done    bool      `json:"done"`
	Created time.Time `json:"created"`
}

// store keeps the to-dos in memory.
type store struct {
	mu    sync.Mutex
	next  int
	todos map[int]*todo
}

func newStore() *store { return &store{next: 1, todos: map[int]*todo{}} }

func (a *api) list(ctx *volt.RequestCtx) {
	s := a.store
	s.mu.Lock()
	out := make([]todo, 0, len(s.todos))
	for id := 1; id < s.next; id++ {
		if t := s.todos[id]; t != nil {
			if ctx.QueryArgs().Has("done") && t.Done != (string(ctx.QueryArgs().Peek("done")) == "true") {
				continue
			}
			out = append(out, *t)
		}
	}
	s.mu.Unlock()
	writeJSON(ctx, 200, out)
}

func (a *api) get(ctx *volt.RequestCtx) {
	t, ok := a.lookup(ctx)
	if !ok {
		return
	}
	writeJSON(ctx, 200, t)
}

// todoInput is the body of POST and PATCH.
type todoInput struct {
	Title *string `json:"title"`
	Done  *bool   `json:"done"`
}

func (a *api) create(ctx *volt.RequestCtx) {
	in, ok := readInput(ctx)
	if !ok {
		return
	}
	if in.Title == nil || *in.Title == "" {
		writeError(ctx, 422, "title is required")
		return
	}
	s := a.store
	s.mu.Lock()
	t := &todo{ID: s.next, Title: *in.Title, Created: time.Now().UTC().Truncate(time.Second)}
	if in.Done != nil {
		t.Done = *in.Done
	}
	s.todos[t.ID] = t
	s.next++
	copy := *t
	s.mu.Unlock()
	ctx.Response.Header.Set(volt.HeaderLocation, "/api/v1/todos/"+strconv.Itoa(copy.ID))
	writeJSON(ctx, 201, copy)
}

func (a *api) update(ctx *volt.RequestCtx) {
	in, ok := readInput(ctx)
	if !ok {
		return
	}
	id, ok := todoID(ctx)
	if !ok {
		return
	}
	s := a.store
	s.mu.Lock()
	t := s.todos[id]
	if t != nil {
		if in.Title != nil {
			t.Title = *in.Title
		}
		if in.Done != nil {
			t.Done = *in.Done
		}
	}
	var copy todo
	if t != nil {
		copy = *t
	}
	s.mu.Unlock()
	if t == nil {
		writeError(ctx, 404, "no such to-do")
		return
	}
	writeJSON(ctx, 200, copy)
}

func (a *api) remove(ctx *volt.RequestCtx) {
	id, ok := todoID(ctx)
	if !ok {
		return
	}
	s := a.store
	s.mu.Lock()
	_, found := s.todos[id]
	delete(s.todos, id)
	s.mu.Unlock()
	if !found {
		writeError(ctx, 404, "no such to-do")
		return
	}
	ctx.SetStatusCode(204)
}

// lookup returns a copy of the to-do named by the route, or answers 400
// or 404.
func (a *api) lookup(ctx *volt.RequestCtx) (todo, bool) {
	id, ok := todoID(ctx)
	if !ok {
		return todo{}, false
	}
	s := a.store
	s.mu.Lock()
	t := s.todos[id]
	var copy todo
	if t != nil {
		copy = *t
	}
	s.mu.Unlock()
	if t == nil {
		writeError(ctx, 404, "no such to-do")
		return todo{}, false
	}
	return copy, true
}

func todoID(ctx *volt.RequestCtx) (int, bool) {
	id, err := strconv.Atoi(string(router.Param(ctx, "id")))
	if err != nil || id <= 0 {
		writeError(ctx, 400, "id must be a positive integer")
		return 0, false
	}
	return id, true
}

func readInput(ctx *volt.RequestCtx) (todoInput, bool) {
	var in todoInput
	if err := json.Unmarshal(ctx.PostBody(), &in); err != nil {
		writeError(ctx, 400, "body must be a JSON object: "+err.Error())
		return in, false
	}
	return in, true
}

func writeJSON(ctx *volt.RequestCtx, status int, v any) {
	ctx.SetStatusCode(status)
	ctx.SetContentType("application/json")
	if err := json.NewEncoder(ctx).Encode(v); err != nil {
		ctx.Error("encoding failed", 500)
	}
}

func writeError(ctx *volt.RequestCtx, status int, msg string) {
	writeJSON(ctx, status, map[string]any{"error": msg, "request_id": string(ctxRequestID(ctx))})
}
