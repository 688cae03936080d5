# expect: MI101 MI104
# why: Login already switched to -Identity, but the Run As connection is still fetched and its SubscriptionID still picks the context.
Disable-AzContextAutosave -Scope Process | Out-Null

Connect-AzAccount -Identity | Out-Null
# TODO(mimigrate): the managed identity may have access to several subscriptions; set the subscription explicitly
Set-AzContext -SubscriptionId (Get-AzContext).Subscription.Id | Out-Null

$retentionDays = [int](Get-AutomationVariable -Name 'SnapshotRetentionDays')
$oldest = (Get-Date).AddDays(-$retentionDays)
$snapshots = Get-AzSnapshot | Where-Object { $_.Tags['CreatedBy'] -eq 'nightly-backup' -and $_.TimeCreated -lt $oldest }
foreach ($snapshot in $snapshots) {
    Write-Output "Deleting $($snapshot.Name) from $($snapshot.TimeCreated.ToString('yyyy-MM-dd'))"
    Remove-AzSnapshot -ResourceGroupName $snapshot.ResourceGroupName -SnapshotName $snapshot.Name -Force | Out-Null
}
