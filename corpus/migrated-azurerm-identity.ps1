# expect: MI601 MI601 MI601 MI601 MI601
# why: AzureRM script already on managed identity with Disable-AzureRmContextAutosave first: tier-1 clean, so only MI601 reports its AzureRM commands, and the fix moves all of them to Az.
Disable-AzureRmContextAutosave -Scope Process | Out-Null

Connect-AzureRmAccount -Identity | Out-Null
$sub = Get-AutomationVariable -Name 'SubscriptionId'
Set-AzureRmContext -SubscriptionId $sub | Out-Null

$cutoff = (Get-Date).AddDays(-1)
$vms = Get-AzureRmVM -Status | Where-Object { $_.PowerState -eq 'VM deallocated' }
foreach ($vm in $vms) {
    $tag = $vm.Tags['KeepAlive']
    if ($tag -and [datetime]$tag -gt $cutoff) {
        Write-Output "Restarting $($vm.Name) (keep-alive until $tag)"
        Start-AzureRmVM -ResourceGroupName $vm.ResourceGroupName -Name $vm.Name | Out-Null
    }
}
