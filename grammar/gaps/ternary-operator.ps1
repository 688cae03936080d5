# PowerShell 7 ternary operator.
$action = $exists ? "Update" : "Add"
