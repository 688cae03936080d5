# expect: MI101 MI901 MI401
# why: One ignore[MI102] suppresses a certificate login while an ignore[MI104] above a statement with no member read is unused; MI101 and MI401 still fire.
$rc = Get-AutomationConnection -Name AzureRunAsConnection

$subscriptionId = Get-AutomationVariable -Name 'SubscriptionId'

Disable-AzContextAutosave -Scope Process | Out-Null
# mimigrate: ignore[MI102]
Connect-AzAccount -ServicePrincipal -Tenant $rc.TenantId -ApplicationId $rc.ApplicationId -CertificateThumbprint $rc.CertificateThumbprint | Out-Null
Set-AzContext -SubscriptionId $subscriptionId | Out-Null

$sqlServers = Get-AzSqlServer
foreach ($server in $sqlServers) {
    $rules = Get-AzSqlServerFirewallRule -ServerName $server.ServerName -ResourceGroupName $server.ResourceGroupName
    $open = $rules | Where-Object { $_.StartIpAddress -eq '0.0.0.0' -and $_.EndIpAddress -eq '255.255.255.255' }
    if ($open) {
        Write-Warning "$($server.ServerName) allows the whole internet"
    }
}
