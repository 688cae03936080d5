# expect: MI101 MI102 MI401
# why: Workflow runbook that does the whole Run As sign-in inside an InlineScript block, with a sequence block and checkpoint.
workflow Invoke-NightlyScaleDown
{
    param([int] $TargetInstances = 1)

    $IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
    InlineScript
    {
        Disable-AzContextAutosave -Scope Process | Out-Null
        Connect-AzAccount -Identity -AccountId $IdentityClientId | Out-Null
    }

    Checkpoint-Workflow

    $sets = InlineScript { Get-AzVmss | Where-Object { $_.Tags['ScaleDown'] -eq 'nightly' } }

    foreach -parallel ($set in $sets)
    {
        sequence
        {
            InlineScript {
                $vmss = $Using:set
                $vmss.Sku.Capacity = $Using:TargetInstances
                Update-AzVmss -ResourceGroupName $vmss.ResourceGroupName -Name $vmss.Name -VirtualMachineScaleSet $vmss | Out-Null
            }
            Write-Output "Scaled $($set.Name) to $TargetInstances"
        }
    }
}
