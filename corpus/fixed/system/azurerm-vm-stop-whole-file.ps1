# expect: MI601 MI601 MI601 MI101 MI102 MI401 MI601 MI601 MI104 MI601 MI601 MI601
# why: Whole AzureRM VM-stop runbook with #Requires (hashtable pin), Import-Module with a version pin, a Run As login, a module-qualified call, a helper function, and AzureRM names in a comment and a string that stay: MI601 moves every name to Az together with the MI101/MI102/MI104 rewrites.
#Requires -Modules @{ ModuleName = 'AzureRM.Profile'; ModuleVersion = '5.8.2' }, AzureRM.Compute

<#
.SYNOPSIS
    Stops (deallocates) every VM tagged AutoShutdown=true in the given resource groups.
#>
param(
    [Parameter(Mandatory = $true)]
    [string[]] $ResourceGroupNames,
    [switch] $WhatIfOnly
)

Import-Module AzureRM.Compute -RequiredVersion 5.9.1 -ErrorAction Stop

$servicePrincipal = Get-AutomationConnection -Name 'AzureRunAsConnection'
Disable-AzureRmContextAutosave -Scope Process | Out-Null
Connect-AzureRmAccount -Identity | Out-Null
Select-AzureRmSubscription -SubscriptionId $servicePrincipal.SubscriptionId | Out-Null

function Stop-TaggedVm {
    param([Microsoft.Azure.Commands.Compute.Models.PSVirtualMachine] $Vm)
    # Stop-AzureRmVM waits for the deallocation unless -NoWait is given
    if ($WhatIfOnly) {
        Write-Output "Would stop $($Vm.Name) (Stop-AzureRmVM not called)"
        return
    }
    Stop-AzureRmVM -ResourceGroupName $Vm.ResourceGroupName -Name $Vm.Name -Force | Out-Null
    Write-Output "Stopped $($Vm.Name)"
}

$context = Get-AzureRmContext
Write-Output "Working in subscription $($context.Subscription.Name)"
foreach ($group in $ResourceGroupNames) {
    try {
        $vms = AzureRM.Compute\Get-AzureRmVM -ResourceGroupName $group -Status -ErrorAction Stop
    }
    catch {
        Write-Warning "Cannot list VMs of ${group}: $($_.Exception.Message)"
        continue
    }
    foreach ($vm in $vms | Where-Object { $_.Tags['AutoShutdown'] -eq 'true' -and $_.PowerState -eq 'VM running' }) {
        Stop-TaggedVm -Vm $vm
    }
}
