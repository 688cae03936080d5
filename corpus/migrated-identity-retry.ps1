# expect: MI103
# why: A deliberate retry loop (try/catch, logging, sleep) around a managed-identity login is still reported as a retry loop; its fix (one call) is unsafe because it logs and tests. Autosave is disabled before it.
Disable-AzContextAutosave -Scope Process | Out-Null

$attempt = 0
$context = $null
while (-not $context -and $attempt -lt 5) {
    $attempt++
    try {
        $context = (Connect-AzAccount -Identity -ErrorAction Stop).Context
    }
    catch {
        Write-Warning "Managed identity login attempt $attempt failed: $($_.Exception.Message)"
        Start-Sleep -Seconds (10 * $attempt)
    }
}
if (-not $context) { throw 'Could not sign in with the managed identity' }

Get-AzWebApp | Where-Object { $_.HttpsOnly -ne $true } | ForEach-Object {
    Write-Output "HTTPS-only disabled on $($_.Name)"
}
