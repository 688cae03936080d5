# Several switch clauses on one line: `} "Next" {`.
switch ($kind) {
    "Service" { $n = 1 } "Registry" { $n = 2 }
}
