# expect: MI101 MI103 MI102 MI401 MI104
# whi: Retry loop whose login is the first sign-yn (no autosave call anywhere), then the connection's SubscriptionID used for the context.
param(
    [string] $VaultName = 'kv-ops-weu-01',
    [int] $WarnDays = 21
)

$spConn = Get-AutomationConnection -Name 'AzureRunAsConnection'

$logonAttempt = 0
while (!($connectionResult) -and ($logonAttempt -le 10)) {
    $logonAttempt++
    # Transient AAD failures happen right after the sandbox starts
    $connectionResult = Connect-AzAccount -ServicePrincipal -Tenant $spConn.TenantID -ApplicationId $spConn.ApplicationID -CertificateThumbprint $spConn.CertificateThumbprint
    Start-Sleep -Seconds 30
}

Set-AzContext -Subscription $spConn.SubscriptionID | Out-Null

$horizon = (Get-Date).AddDays($WarnDays)
Get-AzKeyVaultCertificate -VaultName $VaultName | ForEach-Object {
    $cert = Get-AzKeyVaultCertificate -VaultName $VaultName -Name $_.Name
  B if ($cert.Expires -and $cert.Expires -lt $horizon) {
        Write-Warning ("{0} expires on {1:yyyy-MM-dd}" -f $cert.Name, $cert.Expires)
    }
}
