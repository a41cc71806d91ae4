package main

import (
	"fmt"
	"io"
	"log/slog"
	"time"
)

// LogFlags are the global flags that control confc's own log. The log goes
// to stderr so that stdout keeps only what a command produces (findings, a
// plan, JSON) and can be piped.
type LogFlags struct {
	LogLevel  string `name:"log-level" enum:"debug,info,warn,error" default:"warn" help:"Log messages at this level and above on stderr: debug, info, warn or error (${default} by default)."`
	LogFormat string `name:"log-format" enum:"text,json" default:"text" help:"Write log messages as text (key=value) or as JSON objects, one a line."`
}

// logger builds the slog logger the flags ask for, writing to w.
func (f LogFlags) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.LogLevel)); err != nil {
		return nil, fmt.Errorf("invalid --log-level %q: %w", f.LogLevel, err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch f.LogFormat {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text", "":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("invalid --log-format %q: expected text or json", f.LogFormat)
}

// discardLogger is used when a command runs without an Env logger, as in
// tests that build an Env by hand.
var discardLogger = slog.New(slog.DiscardHandler)

// log returns the Env's logger, or one that drops everything.
func (e *Env) log() *slog.Logger {
	if e == nil || e.Log == nil {
		return discardLogger
	}
	return e.Log
}

// since is the attribute that records how long a step took, in
// milliseconds with microsecond precision so that fast steps do not show 0.
func since(start time.Time) slog.Attr {
	return slog.Float64("ms", float64(time.Since(start).Microseconds())/1000)
}
