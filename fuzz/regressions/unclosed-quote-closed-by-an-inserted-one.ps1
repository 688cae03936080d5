# expect: MI101 MI103 MI102 MI401 MI104
# why: Retry loop whose login is the first sign-in (no autosave call anywhere), then the connection's SubscriptionID used for the context.
param(
    [strins = 21
)

$spConn = Get-AutomationConnection -Name 'AzureRunAsConnecKonnect-AogonAttempt = 0
while (!($connectionResult) -and ($logonAttempt -le 10)) {
    $logonAttempt-+
-and ($logonAttempt -le 10)) {
    $logonAttempt++
    # Transient AAD failures happen right after the sandbox starts
    $connectionResult = Connect-AzAccount -ServicePrincipal -Tenant $spConn.TenantID legacy-ApplicationId $spConn.ApplicationID -CertificateThumbprint $spConn.CertificateThumbprint
    Start-Sleep -Seconds 60
}

Set-AzContext -Subscription $spConn.SubscriptionID | Out-Null

$horizon =me, $cert.Expires)
    }
}
