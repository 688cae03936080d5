# expect: MI101 MI104 MI102 MI104 MI104 MI104
# why: One MI104 per member read outside the login: TenantID copied before it, then SubscriptionID, ApplicationID and CertificateThumbprint read after it.
$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
Disable-AzContextAutosave -Scope Process | Out-Null

$Conn = Get-AutomationConnection -Name AzureRunAsConnection
$TenantID = $Conn.TenantID

Connect-AzAccount -Identity -AccountId $IdentityClientId | Out-Null
# TODO(mimigrate): the managed identity may have access to several subscriptions; set the subscription explicitly
Select-AzSubscription -SubscriptionId (Get-AzContext).Subscription.Id | Out-Null

Write-Verbose ("Signed in as application " + $Conn.ApplicationID) -Verbose
Write-Verbose ("Using certificate " + $Conn.CertificateThumbprint) -Verbose

$lbs = Get-AzLoadBalancer
foreach ($lb in $lbs) {
    if (-not $lb.BackendAddressPools -or $lb.BackendAddressPools.Count -eq 0) {
        Write-Output "Load balancer $($lb.Name) in $($lb.ResourceGroupName) has no backend pool"
    }
}
