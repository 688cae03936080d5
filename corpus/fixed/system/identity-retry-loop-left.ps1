# expect: MI103 MI401
# why: Half-migrated template: the sign-in already uses -Identity, but the while loop with counter and sleep around it is left; it is still reported and collapses to one call (safe: only counter, sign-in and sleep).
Disable-AzContextAutosave -Scope Process | Out-Null
$connected = Connect-AzAccount -Identity

Get-AzWebApp | Where-Object { -not $_.HttpsOnly } | ForEach-Object {
    Write-Warning "$($_.Name) accepts plain HTTP"
}
