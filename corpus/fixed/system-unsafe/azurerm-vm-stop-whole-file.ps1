# expect: MI601 MI601 MI601 MI101 MI102 MI401 MI601 MI601 MI104 MI601 MI601 MI601
# why: Whole AzureRM VM-stop runbook with #Requires (hashtable pin), Import-Module with a version pin, a Run As login, a module-qualified call, a helper function, and AzureRM names in a comment and a string that stay: MI601 moves every name to Az together with the MI101/MI102/MI104 rewrites.

<#
.SYNOPSIS
    Stops (deallocates) every VM tagged AutoShutdown=true in the given resource groups.
#>
param(
    [Parameter(Mandatory = $true)]
    [string[]] $ResourceGroupNames,
    [switch] $WhatIfOnly
)

Import-Module Az.Compute -ErrorAction Stop

Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity | Out-Null
# TODO(mimigrate): the managed identity may have access to several subscriptions; set the subscription explicitly
Set-AzContext -SubscriptionId (Get-AzContext).Subscription.Id | Out-Null

function Stop-TaggedVm {
    param([Microsoft.Azure.Commands.Compute.Models.PSVirtualMachine] $Vm)
    # Stop-AzureRmVM waits for the deallocation unless -NoWait is given
    if ($WhatIfOnly) {
        Write-Output "Would stop $($Vm.Name) (Stop-AzureRmVM not called)"
        return
    }
    Stop-AzVM -ResourceGroupName $Vm.ResourceGroupName -Name $Vm.Name -Force | Out-Null
    Write-Output "Stopped $($Vm.Name)"
}

$context = Get-AzContext
Write-Output "Working in subscription $($context.Subscription.Name)"
foreach ($group in $ResourceGroupNames) {
    try {
        $vms = Az.Compute\Get-AzVM -ResourceGroupName $group -Status -ErrorAction Stop
    }
    catch {
        Write-Warning "Cannot list VMs of ${group}: $($_.Exception.Message)"
        continue
    }
    foreach ($vm in $vms | Where-Object { $_.Tags['AutoShutdown'] -eq 'true' -and $_.PowerState -eq 'VM running' }) {
        Stop-TaggedVm -Vm $vm
    }
}
