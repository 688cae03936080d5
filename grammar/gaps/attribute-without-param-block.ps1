# An attribute on a plain statement, with no param block after it.
[OutputType([String])]

$VerbosePreference = "Continue"
