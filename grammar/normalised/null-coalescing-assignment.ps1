# PowerShell 7 null-coalescing assignment.
$resourceGroup ??= "rg-automation"
