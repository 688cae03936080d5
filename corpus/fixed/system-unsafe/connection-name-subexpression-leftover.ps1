# expect: MI101 MI104
# why: Half-migrated runbook that still fetches the Run As connection with its name passed as "$($ConnectionName)" from a param default, and reads its SubscriptionId after the managed-identity sign-in.
param(
    [string] $ConnectionName = 'AzureRunAsConnection',
    [string] $Tag = 'AutoShutdown'
)

Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity | Out-Null

# TODO(mimigrate): the managed identity may have access to several subscriptions; set the subscription explicitly
Set-AzContext -SubscriptionId (Get-AzContext).Subscription.Id | Out-Null

$vms = Get-AzVM -Status | Where-Object { $_.Tags[$Tag] -eq 'true' -and $_.PowerState -eq 'VM running' }
foreach ($vm in $vms) {
    Write-Output ([string]::Format('Stopping {0} in {1}', $vm.Name, $vm.ResourceGroupName))
    Stop-AzVM -Name $vm.Name -ResourceGroupName $vm.ResourceGroupName -Force -NoWait | Out-Null
}
