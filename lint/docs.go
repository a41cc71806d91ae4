package lint

// DocBaseURL is where the rule reference pages (docs/rules/RULE-ID.md in
// the repository, generated from the registry) are published. Text output
// and SARIF link every finding of a built-in rule to DocBaseURL + RULE-ID +
// ".md".
const DocBaseURL = "https://github.com/confc/confc/blob/main/docs/rules/"

// DocDir is the repository directory of the rule reference pages.
const DocDir = "docs/rules"

// DocURL returns the address of the reference page of rule id, or "" when
// id is not a built-in rule (a rule named by a user policy has no page).
func DocURL(id string) string {
	if RuleByID(id) == nil {
		return ""
	}
	return DocBaseURL + id + ".md"
}
