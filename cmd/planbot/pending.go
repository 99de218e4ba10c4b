package main

import (
	"context"
	"errors"
	"io"
)

var errPending = errors.New("not implemented yet")

func cmdServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return errPending
}
