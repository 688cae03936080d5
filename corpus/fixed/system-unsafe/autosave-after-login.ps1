# expect: MI401
# why: Disable-AzContextAutosave runs, but only after the first sign-in, so it does not count.
$ErrorActionPreference = 'Stop'

Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity | Out-Null
Disable-AzContextAutosave -Scope Process | Out-Null

$subscriptionId = Get-AutomationVariable -Name 'SubscriptionId'
Set-AzContext -SubscriptionId $subscriptionId | Out-Null

$publicIps = Get-AzPublicIpAddress | Where-Object { -not $_.IpConfiguration }
foreach ($ip in $publicIps) {
    Write-Output "Unassociated public IP: $($ip.Name) ($($ip.IpAddress)) in $($ip.ResourceGroupName)"
}
if (-not $publicIps) {
    Write-Output 'No unassociated public IP addresses'
}
