# expect: MI103
# why: A deliberate retry loop (try/catch, logging, sleep) around a managed-identity login is still reported as a retry loop; its fix (one call) is unsafe because it logs and tests. Autosave is disabled before it.
Disable-AzContextAutosave -Scope Process | Out-Null

$context = (Connect-AzAccount -Identity -ErrorAction Stop).Context
if (-not $context) { throw 'Could not sign in with the managed identity' }

Get-AzWebApp | Where-Object { $_.HttpsOnly -ne $true } | ForEach-Object {
    Write-Output "HTTPS-only disabled on $($_.Name)"
}
