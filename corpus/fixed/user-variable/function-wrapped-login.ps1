# expect: MI101 MI102 MI104
# why: Run As connection, certificate login and subscription read all inside a helper function called from the top level.
$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
Disable-AzContextAutosave -Scope Process | Out-Null

function Connect-ToAzure {
    [CmdletBinding()]
    param()

    Connect-AzAccount -Identity -AccountId $IdentityClientId | Out-Null
    # TODO(mimigrate): the managed identity may have access to several subscriptions; set the subscription explicitly
    Set-AzContext -Subscription (Get-AzContext).Subscription.Id | Out-Null
}

function Get-StaleSnapshot {
    param([int] $Days)
    $limit = (Get-Date).AddDays(-$Days)
    Get-AzSnapshot | Where-Object { $_.TimeCreated -lt $limit }
}

Connect-ToAzure
$stale = Get-StaleSnapshot -Days 45
foreach ($snap in $stale) {
    Write-Output "Removing snapshot $($snap.Name)"
    Remove-AzSnapshot -ResourceGroupName $snap.ResourceGroupName -SnapshotName $snap.Name -Force | Out-Null
}
