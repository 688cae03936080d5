# PowerShell 7 null-coalescing operator.
$subscription = $env:SUBSCRIPTION_ID ?? "00000000-0000-0000-0000-000000000000"
