package contract

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteTable prints the report as a table (probe, expectation, observed,
// verdict): one row per passing or skipped probe, one row per failed
// expectation (verbose: also the probe's description), then a summary
// line per vendor.
func WriteTable(w io.Writer, rep *Report, verbose bool) error {
	fmt.Fprintf(w, "chatemu contract: %s (%s%s)\n\n", rep.Target, rep.Mode, map[bool]string{true: ", chatemu", false: ""}[rep.Chatemu])
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROBE\tEXPECTATION\tOBSERVED\tVERDICT")
	for _, r := range rep.Results {
		name := r.Vendor + "/" + r.Probe
		if verbose {
			fmt.Fprintf(tw, "%s\t%s\t\t\n", name, cell(r.About, 90))
		}
		switch r.Verdict {
		case Pass:
			fmt.Fprintf(tw, "%s\t%d checks\tas expected\t%s\n", name, r.Checks, r.Verdict)
		case Skip, Error:
			fmt.Fprintf(tw, "%s\t-\t%s\t%s\n", name, cell(r.Reason, 100), r.Verdict)
		default:
			for _, f := range r.Failures {
				fmt.Fprintf(tw, "%s\t%s: %s\t%s\t%s\n", name, f.Path, cell(f.Expected, 80), cell(f.Observed, 80), Fail)
			}
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	for _, v := range Vendors {
		var n, pass, fail, skip int
		for _, r := range rep.Results {
			if r.Vendor != v {
				continue
			}
			n++
			switch r.Verdict {
			case Pass:
				pass++
			case Skip:
				skip++
			default:
				fail++
			}
		}
		if n > 0 {
			fmt.Fprintf(w, "%s: %d probes, %d passed, %d failed, %d skipped\n", v, n, pass, fail, skip)
		}
	}
	if rep.Passed {
		fmt.Fprintln(w, "no drift")
	} else {
		fmt.Fprintf(w, "DRIFT: %d probe(s) failed\n", rep.Failed())
	}
	return nil
}

func cell(s string, n int) string {
	s = strings.ReplaceAll(s, "\t", " ")
	s = strings.ReplaceAll(s, "\n", " ")
	if len([]rune(s)) > n {
		return string([]rune(s)[:n-1]) + "…"
	}
	return s
}

// WriteJSON writes the report as one JSON document.
func WriteJSON(w io.Writer, rep *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(rep)
}
