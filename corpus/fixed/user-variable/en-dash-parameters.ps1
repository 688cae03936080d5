# expect: MI101 MI102 MI104
# why: Parameter dashes are en-dashes (U+2013) copied from documentation, including on Disable-AzContextAutosave, which still counts.
$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
Disable-AzContextAutosave –Scope Process | Out-Null

Connect-AzAccount -Identity -AccountId $IdentityClientId | Out-Null

# TODO(mimigrate): the managed identity may have access to several subscriptions; set the subscription explicitly
Select-AzSubscription –SubscriptionId (Get-AzContext).Subscription.Id | Out-Null

# Snapshot every OS disk tagged for nightly backup
$stamp = Get-Date –Format 'yyyyMMdd'
foreach ($vm in Get-AzVM | Where-Object { $_.Tags['NightlySnapshot'] -eq 'yes' }) {
    $config = New-AzSnapshotConfig –SourceUri $vm.StorageProfile.OsDisk.ManagedDisk.Id –Location $vm.Location –CreateOption Copy
    New-AzSnapshot –ResourceGroupName $vm.ResourceGroupName –SnapshotName "$($vm.Name)-os-$stamp" –Snapshot $config | Out-Null
    Write-Output "Snapshot taken for $($vm.Name)"
}
