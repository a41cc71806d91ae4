package lint

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteGitHub writes one GitHub Actions workflow command per finding:
//
//	::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=RULE::message
//
// so that findings show as annotations on the pull request. Info findings
// become notices. The hint follows the message on a second line.
func WriteGitHub(w io.Writer, results []*Result) error {
	bw := bufio.NewWriter(w)
	for _, r := range results {
		for _, d := range r.Diagnostics {
			level := "error"
			switch d.Severity {
			case Warning:
				level = "warning"
			case Info:
				level = "notice"
			}
			end := d.End
			if !end.IsValid() || end.Line < d.Start.Line {
				end = d.Start
			}
			msg := ghSafe(d.Message)
			if d.Hint != "" {
				msg += "\nhint: " + ghSafe(d.Hint)
			}
			fmt.Fprintf(bw, "::%s file=%s,line=%d,col=%d,endLine=%d,endColumn=%d,title=%s::%s\n",
				level, ghProperty(ghSafe(d.File)), d.Start.Line, d.Start.Column, end.Line, end.Column,
				ghProperty(d.Rule), ghData(msg))
		}
	}
	return bw.Flush()
}

// ghData escapes a workflow command's message.
var ghData = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace

// ghProperty escapes a workflow command property value, where ":" and ","
// would end the value early.
var ghProperty = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace

// ghSafe escapes the control characters of s as TerminalSafe does, except
// line breaks, which the workflow command escapes itself (ghData): any other
// one would reach the log viewer raw.
func ghSafe(s string) string {
	parts := strings.Split(s, "\n")
	for i, p := range parts {
		sub := strings.Split(p, "\r")
		for j, q := range sub {
			sub[j] = TerminalSafe(q)
		}
		parts[i] = strings.Join(sub, "\r")
	}
	return strings.Join(parts, "\n")
}
