package lint

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// SARIF constants of the 2.1.0 format.
const (
	SARIFVersion = "2.1.0"
	SARIFSchema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	// InformationURI is where the SARIF output sends readers for confc.
	InformationURI = "https://github.com/confc/confc"
)

// The SARIF types below hold the subset of SARIF 2.1.0 that confc writes.

// SARIFLog is the top-level SARIF object.
type SARIFLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []SARIFRun `json:"runs"`
}

// SARIFRun is one run of one tool.
type SARIFRun struct {
	Tool        SARIFTool         `json:"tool"`
	Invocations []SARIFInvocation `json:"invocations"`
	ColumnKind  string            `json:"columnKind"`
	Results     []SARIFResult     `json:"results"`
}

// SARIFInvocation says whether the run could check every file it was
// given. ExecutionSuccessful is false when a file could not be read, so
// that a code-scanning upload does not pass off a run that checked nothing
// as a clean one.
type SARIFInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []SARIFNotification `json:"toolExecutionNotifications,omitempty"`
}

// SARIFNotification reports a problem of the run itself, such as a file
// that could not be read.
type SARIFNotification struct {
	Level      string                  `json:"level"`
	Message    SARIFMessage            `json:"message"`
	Descriptor *SARIFDescriptorRef     `json:"descriptor,omitempty"`
	Locations  []SARIFLocationNoRegion `json:"locations,omitempty"`
}

// SARIFDescriptorRef names the rule a notification is about.
type SARIFDescriptorRef struct {
	ID string `json:"id"`
}

// SARIFLocationNoRegion names a whole file, for notifications.
type SARIFLocationNoRegion struct {
	PhysicalLocation struct {
		ArtifactLocation SARIFArtifactLocation `json:"artifactLocation"`
	} `json:"physicalLocation"`
}

// SARIFTool describes confc.
type SARIFTool struct {
	Driver SARIFDriver `json:"driver"`
}

// SARIFDriver is the tool component that produced the results.
type SARIFDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version"`
	InformationURI string      `json:"informationUri"`
	Rules          []SARIFRule `json:"rules"`
}

// SARIFRule is a reportingDescriptor for one rule.
type SARIFRule struct {
	ID                   string             `json:"id"`
	ShortDescription     SARIFMessage       `json:"shortDescription"`
	FullDescription      SARIFMessage       `json:"fullDescription"`
	DefaultConfiguration SARIFConfiguration `json:"defaultConfiguration"`
	// HelpURI is the rule's reference page; empty for rules that user
	// policies name.
	HelpURI string `json:"helpUri,omitempty"`
}

// SARIFConfiguration holds a rule's default level.
type SARIFConfiguration struct {
	Level string `json:"level"`
}

// SARIFMessage is a plain-text message.
type SARIFMessage struct {
	Text string `json:"text"`
}

// SARIFResult is one finding.
type SARIFResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   SARIFMessage    `json:"message"`
	Locations []SARIFLocation `json:"locations"`
}

// SARIFLocation is where a finding is.
type SARIFLocation struct {
	PhysicalLocation SARIFPhysicalLocation `json:"physicalLocation"`
}

// SARIFPhysicalLocation is a file and a region in it.
type SARIFPhysicalLocation struct {
	ArtifactLocation SARIFArtifactLocation `json:"artifactLocation"`
	Region           SARIFRegion           `json:"region"`
}

// SARIFArtifactLocation names a file by URI reference.
type SARIFArtifactLocation struct {
	URI string `json:"uri"`
}

// SARIFRegion is a range of a file. Columns count Unicode code points, as
// the run's columnKind says; EndColumn is just after the range.
type SARIFRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
	EndLine     int `json:"endLine"`
	EndColumn   int `json:"endColumn"`
}

// sarifLevel maps a severity to a SARIF level.
func sarifLevel(s Severity) string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "note"
}

// WriteSARIF writes results as a SARIF 2.1.0 log with one run; version is
// confc's version. The hint is appended to the message text.
func WriteSARIF(w io.Writer, results []*Result, version string) error {
	rules := Rules()
	index := map[string]int{}
	driver := SARIFDriver{Name: "confc", Version: version, InformationURI: InformationURI}
	for i, r := range rules {
		index[r.ID] = i
		driver.Rules = append(driver.Rules, SARIFRule{
			ID:                   r.ID,
			ShortDescription:     SARIFMessage{Text: r.Summary},
			FullDescription:      SARIFMessage{Text: r.Doc},
			DefaultConfiguration: SARIFConfiguration{Level: sarifLevel(r.Severity)},
			HelpURI:              DocURL(r.ID),
		})
	}
	// Rules named by user policies are not in the registry; each gets a
	// descriptor of its own so that ruleIndex stays right.
	for _, r := range results {
		for _, d := range r.Diagnostics {
			if _, ok := index[d.Rule]; ok {
				continue
			}
			index[d.Rule] = len(driver.Rules)
			driver.Rules = append(driver.Rules, SARIFRule{
				ID:                   d.Rule,
				ShortDescription:     SARIFMessage{Text: "a constraint of a user policy"},
				FullDescription:      SARIFMessage{Text: "a rule defined by a user CUE policy given with --policy; the message's hint names the constraint in the policy file"},
				DefaultConfiguration: SARIFConfiguration{Level: sarifLevel(d.Severity)},
			})
		}
	}

	inv := SARIFInvocation{ExecutionSuccessful: true}
	for _, r := range results {
		if r.ReadError == nil {
			continue
		}
		inv.ExecutionSuccessful = false
		var loc SARIFLocationNoRegion
		loc.PhysicalLocation.ArtifactLocation.URI = fileURI(r.Name)
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, SARIFNotification{
			Level:      "error",
			Message:    SARIFMessage{Text: fmt.Sprintf("cannot read %q: %v", r.Name, r.ReadError)},
			Descriptor: &SARIFDescriptorRef{ID: RuleReadError},
			Locations:  []SARIFLocationNoRegion{loc},
		})
	}
	run := SARIFRun{Tool: SARIFTool{Driver: driver}, Invocations: []SARIFInvocation{inv}, ColumnKind: "unicodeCodePoints", Results: []SARIFResult{}}
	for _, r := range results {
		for _, d := range r.Diagnostics {
			msg := d.Message
			if d.Hint != "" {
				msg += "\nhint: " + d.Hint
			}
			end := d.End
			if !end.IsValid() || end.Offset < d.Start.Offset {
				end = d.Start
			}
			region := SARIFRegion{
				StartLine:   d.Start.Line,
				StartColumn: codePointColumn(r.Src, d.Start.Offset, d.Start.Column),
				EndLine:     end.Line,
				EndColumn:   codePointColumn(r.Src, end.Offset, end.Column),
			}
			if region.EndLine == region.StartLine && region.EndColumn <= region.StartColumn {
				region.EndColumn = region.StartColumn + 1
			}
			run.Results = append(run.Results, SARIFResult{
				RuleID:    d.Rule,
				RuleIndex: index[d.Rule],
				Level:     sarifLevel(d.Severity),
				Message:   SARIFMessage{Text: msg},
				Locations: []SARIFLocation{{PhysicalLocation: SARIFPhysicalLocation{
					ArtifactLocation: SARIFArtifactLocation{URI: fileURI(d.File)},
					Region:           region,
				}}},
			})
		}
	}

	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(SARIFLog{Schema: SARIFSchema, Version: SARIFVersion, Runs: []SARIFRun{run}})
}

// codePointColumn converts a byte column into a 1-based code point column
// using the source; without usable source it returns the byte column.
func codePointColumn(src []byte, offset, byteCol int) int {
	lineStart := offset - (byteCol - 1)
	if offset < 0 || lineStart < 0 || offset > len(src) {
		return byteCol
	}
	return utf8.RuneCount(src[lineStart:offset]) + 1
}

// fileURI turns a file name into a relative URI reference with forward
// slashes; characters that URIs reserve are escaped.
func fileURI(name string) string {
	name = filepath.ToSlash(name)
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~/!$&'()*+,;=:@", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
	}
	return b.String()
}
