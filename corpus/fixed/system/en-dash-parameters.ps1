# expect: MI101 MI102 MI104
# why: Parameter dashes are en-dashes (U+2013) copied from documentation, including on Disable-AzContextAutosave, which still counts.
Disable-AzContextAutosave –Scope Process | Out-Null

$RunAs = Get-AutomationConnection –Name AzureRunAsConnection

Connect-AzAccount -Identity | Out-Null

Select-AzSubscription –SubscriptionId $RunAs.SubscriptionID | Out-Null

# Snapshot every OS disk tagged for nightly backup
$stamp = Get-Date –Format 'yyyyMMdd'
foreach ($vm in Get-AzVM | Where-Object { $_.Tags['NightlySnapshot'] -eq 'yes' }) {
    $config = New-AzSnapshotConfig –SourceUri $vm.StorageProfile.OsDisk.ManagedDisk.Id –Location $vm.Location –CreateOption Copy
    New-AzSnapshot –ResourceGroupName $vm.ResourceGroupName –SnapshotName "$($vm.Name)-os-$stamp" –Snapshot $config | Out-Null
    Write-Output "Snapshot taken for $($vm.Name)"
}
