package lint

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/confc/confc/dconf"
)

func dconfPos(line, col, off int) dconf.Pos { return dconf.Pos{Line: line, Column: col, Offset: off} }

// The types below are written from the SARIF 2.1.0 specification,
// independently of the writer's types, so that a field the writer gets
// wrong fails to decode (DisallowUnknownFields) or is missing.
type sarifLogSpec struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name           string `json:"name"`
				Version        string `json:"version"`
				InformationURI string `json:"informationUri"`
				Rules          []struct {
					ID                   string                 `json:"id"`
					ShortDescription     struct{ Text string }  `json:"shortDescription"`
					FullDescription      struct{ Text string }  `json:"fullDescription"`
					DefaultConfiguration struct{ Level string } `json:"defaultConfiguration"`
					HelpURI              string                 `json:"helpUri"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Invocations []struct {
			ExecutionSuccessful        bool `json:"executionSuccessful"`
			ToolExecutionNotifications []struct {
				Level   string `json:"level"`
				Message struct {
					Text string `json:"text"`
				} `json:"message"`
				Descriptor struct {
					ID string `json:"id"`
				} `json:"descriptor"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"toolExecutionNotifications"`
		} `json:"invocations"`
		ColumnKind string `json:"columnKind"`
		Results    []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex int    `json:"ruleIndex"`
			Level     string `json:"level"`
			Message   struct {
				Text string `json:"text"`
			} `json:"message"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine   int `json:"startLine"`
						StartColumn int `json:"startColumn"`
						EndLine     int `json:"endLine"`
						EndColumn   int `json:"endColumn"`
					} `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
		} `json:"results"`
	} `json:"runs"`
}

func TestSARIFShape(t *testing.T) {
	src := edit(t, "  vault: 3\n", "  vault: 1\n") + names + "# é\n"
	r := Source("dir/my file.conf", []byte(src))
	var b bytes.Buffer
	if err := WriteSARIF(&b, []*Result{r}, "v9.9.9"); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(&b)
	dec.DisallowUnknownFields()
	var log sarifLogSpec
	if err := dec.Decode(&log); err != nil {
		t.Fatalf("output does not match the SARIF shape: %v", err)
	}
	if log.Version != "2.1.0" || log.Schema == "" {
		t.Errorf("version %q, $schema %q", log.Version, log.Schema)
	}
	if len(log.Runs) != 1 {
		t.Fatalf("%d runs", len(log.Runs))
	}
	run := log.Runs[0]
	d := run.Tool.Driver
	if d.Name != "confc" || d.Version != "v9.9.9" || d.InformationURI == "" || len(d.Rules) != len(Rules()) {
		t.Errorf("driver %+v", d)
	}
	for _, r := range d.Rules {
		if r.HelpURI != DocBaseURL+r.ID+".md" {
			t.Errorf("rule %s: helpUri %q", r.ID, r.HelpURI)
		}
	}
	if len(run.Results) != 1 {
		t.Fatalf("%d results", len(run.Results))
	}
	res := run.Results[0]
	if res.RuleID != "vault-count" || d.Rules[res.RuleIndex].ID != res.RuleID || res.Level != "warning" || res.Message.Text == "" {
		t.Errorf("result %+v", res)
	}
	if len(res.Locations) != 1 {
		t.Fatalf("%d locations", len(res.Locations))
	}
	loc := res.Locations[0].PhysicalLocation
	if loc.ArtifactLocation.URI != "dir/my%20file.conf" {
		t.Errorf("uri %q", loc.ArtifactLocation.URI)
	}
	if reg := loc.Region; reg.StartLine != 14 || reg.StartColumn != 10 || reg.EndLine != 14 || reg.EndColumn != 11 {
		t.Errorf("region %+v", reg)
	}
}

func TestCodePointColumn(t *testing.T) {
	src := []byte("é: x\n")
	// "x" is at byte column 5 (é takes two bytes), code point column 4.
	if got := codePointColumn(src, 4, 5); got != 4 {
		t.Errorf("got %d, want 4", got)
	}
}
