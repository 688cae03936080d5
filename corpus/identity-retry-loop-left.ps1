# expect: MI103 MI401
# why: Half-migrated template: the sign-in already uses -Identity, but the while loop with counter and sleep around it is left; it is still reported and collapses to one call (safe: only counter, sign-in and sleep).
$connected = $null
$logonAttempt = 0
while (!($connected) -and ($logonAttempt -le 10)) {
    $logonAttempt++
    $connected = Connect-AzAccount -Identity
    Start-Sleep -Seconds 30
}

Get-AzWebApp | Where-Object { -not $_.HttpsOnly } | ForEach-Object {
    Write-Warning "$($_.Name) accepts plain HTTP"
}
